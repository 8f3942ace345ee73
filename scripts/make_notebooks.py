"""Write example_notebooks/*.ipynb from the cells below (the notebooks are generated: edit here)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parent.parent / "example_notebooks"

NOTEBOOKS = {
    "01_browse_and_edit_a_dataset.ipynb": [
        new_markdown_cell(
            "# Browse and edit a dataset\n\n"
            "`DatasetGrid` shows a dataset one page at a time, however large it is, and lets you fix expected "
            "outputs in place. With no API key set it runs on the local **sandbox** (it says so in the grid); set "
            "`ORQ_API_KEY` and pass `Client.orq()` to use your orq.ai workspace instead.\n\n"
            "**Keys in the grid:** ↑/↓ or j/k move, Enter edits, Ctrl+Enter saves, Esc cancels (Esc again gives "
            "focus back to the notebook), PageDown/PageUp flip pages, Ctrl+Z undoes the last save."),
        new_code_cell("from nbwidgets import Client, DatasetGrid\n\nclient = Client.default()  # the sandbox unless ORQ_API_KEY is set\nclient"),
        new_markdown_cell("Pick a dataset in the grid, or open one by id. Here: the demo's support dataset."),
        new_code_cell("support = client.list_datasets(search=\"support_quality\").items[0]\n"
                      "grid = DatasetGrid(client, support.id, page_size=10)\ngrid"),
        new_markdown_cell("The grid's state is plain Python: the rows of the page on show are pydantic models."),
        new_code_cell("grid.first_page()\nfirst = grid.rows[0]\nprint(first.id, '->', first.expected_output)"),
        new_markdown_cell("Edits from Python go through the same path as edits in the grid: only the changed field "
                          "is sent, and the row shows it saved."),
        new_code_cell("saved = grid.edit(first.id, expected_output=first.expected_output + ' (reviewed)')\n"
                      "print(saved.updated, grid.row_status[first.id]['state'])"),
        new_code_cell("grid.undo()  # a PATCH of the previous value\nprint(client.get_datapoint(support.id, first.id).expected_output)"),
        new_markdown_cell("A page as a DataFrame, or the whole dataset (with a progress bar):"),
        new_code_cell("grid.to_pandas().head(3)"),
        new_code_cell("frame = client.datapoints_frame(support.id)\nlen(frame)"),
    ],
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        notebook = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        nbformat.write(notebook, OUT / name)
        print("wrote", OUT / name)


if __name__ == "__main__":
    main()
