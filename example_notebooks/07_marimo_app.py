# nbwidgets in marimo: `marimo edit example_notebooks/07_marimo_app.py` (or `marimo run ...` as an app).
# With no API key set, everything runs on the local sandbox (the widgets say so).
import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo

    from nbwidgets import Client, DatasetGrid, EvaluatorForm, review

    return Client, DatasetGrid, EvaluatorForm, mo, review


@app.cell
def _(mo):
    mo.md(
        """
        # nbwidgets in marimo

        Wrap a widget with `mo.ui.anywidget(...)`: the grid, the evaluator form and the feedback buttons
        work here as in Jupyter, follow marimo's light and dark themes, and keep marimo's own shortcuts
        quiet while you type in them (Esc, Esc gives focus back to the cell).
        """
    )
    return


@app.cell
def _(Client):
    client = Client.default()  # the sandbox unless ORQ_API_KEY is set
    client
    return (client,)


@app.cell
def _(DatasetGrid, client, mo):
    support = client.list_datasets(search="support_quality").items[0]
    grid = mo.ui.anywidget(DatasetGrid(client, support.id, page_size=10))
    grid
    return (grid,)


@app.cell
def _(grid, mo):
    # `grid.widget` is the DatasetGrid itself: its state is plain Python
    first = grid.widget.rows[0]
    mo.md(f"First row on this page: `{first.id}` → {first.expected_output!r}")
    return


@app.cell
def _(EvaluatorForm, client, mo):
    evaluators = {e.key: e for e in client.list_evaluators()}
    form = mo.ui.anywidget(EvaluatorForm(client, evaluators["tone_check"].id))
    form
    return (form,)


@app.cell
def _(client, mo, review):
    # one generation of a deployment (the sandbox answers `support-reply` locally), with feedback buttons
    question = "Can I export my data to CSV?"
    generation = client.invoke_deployment("support-reply", inputs={"ticket": question})
    thumbs = mo.ui.anywidget(review(client, generation.trace_id, output=generation.output, input=question))
    thumbs
    return (thumbs,)


if __name__ == "__main__":
    app.run()
