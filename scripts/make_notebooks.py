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
            "focus back to the notebook), PageDown/PageUp flip pages, Ctrl+Z undoes the last save."
        ),
        new_code_cell(
            "from nbwidgets import Client, DatasetGrid\n\nclient = Client.default()  # the sandbox unless ORQ_API_KEY is set\nclient"
        ),
        new_markdown_cell("Pick a dataset in the grid, or open one by id. Here: the demo's support dataset."),
        new_code_cell(
            'support = client.list_datasets(search="support_quality").items[0]\n'
            "grid = DatasetGrid(client, support.id, page_size=10)\ngrid"
        ),
        new_markdown_cell("The grid's state is plain Python: the rows of the page on show are pydantic models."),
        new_code_cell("grid.first_page()\nfirst = grid.rows[0]\nprint(first.id, '->', first.expected_output)"),
        new_markdown_cell(
            "Edits from Python go through the same path as edits in the grid: only the changed field "
            "is sent, and the row shows it saved."
        ),
        new_code_cell(
            "saved = grid.edit(first.id, expected_output=first.expected_output + ' (reviewed)')\n"
            "print(saved.updated, grid.row_status[first.id]['state'])"
        ),
        new_code_cell(
            "grid.undo()  # a PATCH of the previous value\nprint(client.get_datapoint(support.id, first.id).expected_output)"
        ),
        new_markdown_cell(
            "A page as a DataFrame, or the whole dataset (with a progress bar). pandas is an optional extra: "
            '`pip install "nbwidgets[pandas]"`; without it, these say so.'
        ),
        new_code_cell(
            "try:\n"
            "    display(grid.to_pandas().head(3))  # this page\n"
            "    frame = client.datapoints_frame(support.id)  # the whole dataset\n"
            "    print(len(frame), 'datapoints in a DataFrame')\n"
            "except ImportError as missing:  # a plain install: the message names the extra\n"
            "    print(missing)"
        ),
        new_markdown_cell(
            "## The notebook extension\n`%load_ext nbwidgets` adds the `%nbw` magic, and makes datapoints, "
            "pages and evaluators display as widgets."
        ),
        new_code_cell("%load_ext nbwidgets\n%nbw status"),
        new_code_cell("%nbw dataset {support.id} --page-size 5"),
        new_code_cell("client.datapoints_page(support.id, limit=3)  # a page displays as a grid"),
    ],
    "02_edit_an_evaluator.ipynb": [
        new_markdown_cell(
            "# Edit an LLM evaluator: a single judge, then a jury\n\n"
            "`EvaluatorForm` loads an evaluator, checks your values against the API's rules as you type (each "
            "problem shows on its field once you have been there, and Save stays off while one shows; a Save with "
            "problems left on fields you have not reached yet sends nothing and shows them), and saves only what "
            "changed, with a version bump. Ctrl+S saves while you type."
        ),
        new_code_cell(
            "from nbwidgets import Client, EvaluatorForm\n\nclient = Client.default()\n"
            "evaluators = {e.key: e for e in client.list_evaluators()}\nsorted(evaluators)"
        ),
        new_markdown_cell("## A single judge\nThe demo's `tone_check` asks one model whether an answer is polite."),
        new_code_cell("form = EvaluatorForm(client, evaluators['tone_check'].id)\nform"),
        new_markdown_cell(
            "Edits from Python and from the form are the same thing: `form.value` is the evaluator with "
            "your edits, and setting it updates the form."
        ),
        new_code_cell(
            "form.reload()\nedited = form.value.model_copy(update={'repetitions': 2, 'description': 'Polite and professional?'})\n"
            "form.value = edited\nprint('dirty:', form.dirty, '| problems:', form.problems)"
        ),
        new_code_cell("saved = form.save()\nprint(saved.key, saved.repetitions, 'version', saved.version)"),
        new_markdown_cell("Values the API refuses are refused here, before any request:"),
        new_code_cell(
            "form.value = form.value.model_copy(update={'key': 'ok_key'})\n"
            "form.draft = {**form.draft, 'key': 'not a valid key!'}\nprint(form.problems)\nform.reset()"
        ),
        new_markdown_cell(
            "## A jury\nSeveral judges vote; each retries on the status codes you name and can fall back "
            "to other models. Switching the mode in the form shows the jury's part."
        ),
        new_code_cell("jury_form = EvaluatorForm(client, evaluators['answer_quality_jury'].id)\njury_form"),
        new_code_cell(
            "jury_form.reload()\njury = jury_form.value.jury\n"
            "[(judge.model, judge.retry.count if judge.retry else None) for judge in jury.judges], jury.min_successful_judges"
        ),
        new_markdown_cell(
            "## A new evaluator\nWithout an id the form creates one (POST). A key names one evaluator: a save with "
            "a key already taken is refused with that sentence (409), so this cell picks a key no evaluator has "
            "yet, and the notebook runs again and again."
        ),
        new_code_cell(
            "new_form = EvaluatorForm(client)\n"
            "# a key no evaluator has yet (run again, the notebook makes the next one: is_concise_2, ...)\n"
            "taken = client.evaluator_keys()  # every evaluator's key, all pages\n"
            "key = next(k for k in ['is_concise', *(f'is_concise_{n}' for n in range(2, 10_000))] if k not in taken)\n"
            "new_form.draft = {**new_form.draft, 'key': key, 'prompt': 'Is {{output}} concise?', "
            "'model': 'openai/gpt-4o-mini'}\n"
            "created = new_form.save()\nprint(created.id, created.key, new_form.variables)\nnew_form"
        ),
    ],
    "03_feedback_in_an_experiment_loop.ipynb": [
        new_markdown_cell(
            "# Feedback during an experiment loop\n\n"
            "`review()` shows a generation with its feedback buttons. Each click is written to a queue on disk "
            "first and sent by one background worker, so nothing is lost if the network drops or the kernel "
            "restarts, and nothing is sent twice (each feedback carries its own id).\n\n"
            "Keys on a focused widget: 1..9 pick, Backspace undoes; in a correction box Ctrl+Enter sends.\n\n"
            "Each generation comes from invoking a deployment: feedback is given on the trace id it returns. "
            "Without a key the sandbox answers `support-reply` locally (see README: the sandbox's demo deployments)."
        ),
        new_code_cell(
            "from nbwidgets import Client, FeedbackButtons, review\n\nclient = Client.default()\n\n"
            "def generate(question: str) -> tuple[str, str]:\n"
            '    """One generation of the support-reply deployment: (trace_id, answer)."""\n'
            "    result = client.invoke_deployment('support-reply', inputs={'ticket': question})\n"
            "    return result.trace_id, result.output"
        ),
        new_code_cell(
            "questions = ['How do I reset my password? The link expired.', 'Can I export my data to CSV?', "
            "'I was charged twice for my March invoice.']\n"
            "reviews = []\nfor question in questions:\n    trace_id, answer = generate(question)\n"
            "    widget = review(client, trace_id, output=answer, input=question)\n"
            "    reviews.append(widget)\n    display(widget)"
        ),
        new_markdown_cell("Clicks and Python calls are the same path. Here the first answer is rated in code:"),
        new_code_cell(
            "reviews[0].submit('good')\nreviews[0].flush()\nprint(reviews[0].status, reviews[0].feedback_id)"
        ),
        new_markdown_cell(
            "Other kinds: a score, one choice, several choices, a written correction (shown as a diff against the "
            "output). Each uses a feedback property the workspace defines: `quality` (1-5), `verdict` and `issues` "
            "are the sandbox's demo properties; `rating`, `defects`, `interactions` and `correction` are orq's "
            "built-in ones."
        ),
        new_code_cell(
            "trace_id, answer = generate(questions[1])\n"
            "display(FeedbackButtons(client, trace_id, property='quality', kind='score', score_range=(1, 5)))\n"
            "display(FeedbackButtons(client, trace_id, property='verdict', kind='choice', options=['correct', 'partially_correct', 'wrong']))\n"
            "display(FeedbackButtons(client, trace_id, property='issues', kind='choices', options=['too long', 'wrong', 'rude']))\n"
            "FeedbackButtons(client, trace_id, property='correction', kind='correction', output=answer)"
        ),
        new_markdown_cell("What is still queued, if anything (e.g. while offline):"),
        new_code_cell("client.outbox.flush(timeout=10)\nclient.outbox.pending()"),
    ],
    "04_overmind_new_dataset_version.ipynb": [
        new_markdown_cell(
            "# Edit an Overmind dataset into a new version\n\n"
            "Overmind datapoints are immutable: the grid stages your edits, and *Save as new version* posts the "
            "agent's next dataset version (optionally making it the active one). The old version stays."
        ),
        new_code_cell(
            "from nbwidgets import Client, DatasetGrid\n\n"
            "client = Client.default('overmind')  # the sandbox unless OVERMIND_API_KEY is set\n"
            "agent = client.list_agents().items[0]\nversions = client.list_datasets(agent=agent.id)\n"
            "[(v.version, v.name, v.num_datapoints) for v in versions]"
        ),
        new_markdown_cell(
            "Open the agent's **active** version (the grid's badges say whether a version is the active one and "
            "whether a newer one exists: a version saved from an older one does not have what came after it)."
        ),
        new_code_cell("grid = DatasetGrid(client, agent.active_dataset or versions.items[0].id, page_size=10)\ngrid"),
        new_markdown_cell("Stage an edit (double-click an expected output in the grid, or from Python):"),
        new_code_cell(
            "grid.first_page()\ntarget = grid.rows[0]\n"
            "grid.edit(target.id, expected_output={**target.expected_output, 'priority': 'urgent'})\ngrid.staged"
        ),
        new_code_cell(
            "new_version = grid.save_version(make_active=True)\n"
            "print('now on version', grid.version, '| active:', client.get_agent(agent.id).active_dataset == new_version.id)"
        ),
        new_code_cell(
            "[(v.version, v.metadata.get('edited_from', '')[:8]) for v in client.list_datasets(agent=agent.id)]"
        ),
    ],
    "06_any_size_dataset.ipynb": [
        new_markdown_cell(
            "# Any size: a dataset of 100,000 datapoints\n\n"
            "The grid keeps one page in the notebook, whatever the dataset's size: opening it, paging and editing "
            "cost the same at a hundred datapoints or a million, and the saved notebook stays small. `./dev demo` "
            "starts its sandbox with a generated dataset of 100,000 datapoints (`nbwidgets sandbox --datapoints "
            "1000000` makes a million). On a sandbox without one (e.g. the one a kernel starts for itself), this "
            "notebook first makes one of 50,000 through the API; on your own workspace it opens your largest dataset."
        ),
        new_code_cell(
            "from nbwidgets import Client, DatasetGrid\n\n"
            "client = Client.default()  # the sandbox unless ORQ_API_KEY is set\n"
            "generated = client.list_datasets(search='generated').items\n"
            "large = max(generated, key=lambda d: d.metadata.datapoints_count, default=None)\n"
            "if large is None and client.is_sandbox:\n"
            "    large = client.create_dataset('generated_50000')\n"
            "    for start in range(0, 50_000, 500):  # 500 datapoints a request\n"
            "        client.create_datapoints(large.id, [\n"
            "            {'inputs': {'question': f'Question {n}'}, 'expected_output': f'Answer {n}'}\n"
            "            for n in range(start, start + 500)\n"
            "        ])\n"
            "    large = client.get_dataset(large.id)\n"
            "elif large is None:  # your own workspace: its largest dataset\n"
            "    large = max(client.list_datasets().items, key=lambda d: d.metadata.datapoints_count)\n"
            "print(f'{large.display_name}: {large.metadata.datapoints_count:,} datapoints')"
        ),
        new_code_cell("grid = DatasetGrid(client, large.id, page_size=25)\ngrid"),
        new_markdown_cell(
            "Only the page on show lives in the kernel (and in the notebook's saved widget state); the next page is "
            "fetched ahead of you, so *Next* is instant."
        ),
        new_code_cell(
            "for _ in range(3):\n    grid.next_page()\n"
            "print(f'page {grid.page_number}: {len(grid.rows)} datapoints in the kernel, of {grid.total or large.metadata.datapoints_count:,}')"
        ),
        new_markdown_cell("Iterating the whole dataset keeps one page in memory at a time too:"),
        new_code_cell(
            "longest = max(client.iter_datapoints(large.id, page_size=200), key=lambda dp: len(str(dp.expected_output)))\n"
            "print(longest.id, len(str(longest.expected_output)))"
        ),
    ],
    "05_review_an_experiment.ipynb": [
        new_markdown_cell(
            "# Run an experiment over a dataset and review every output\n\n"
            "`ExperimentReview` runs a generation (an orq deployment, or any Python function) over a dataset, a "
            "page at a time and a few datapoints at once, and shows each output next to the expected output, with "
            "their word-level difference and feedback buttons for the output's trace. Feedback and \"use as "
            'expected output" are written to a queue on disk first, so a kernel restart loses neither.\n\n'
            "**Keys in the review** (click a row first): j/k or ↑/↓ move, 1/2 thumbs up/down, c writes a "
            "correction (Ctrl+Enter sends), u uses the output as the expected output, r re-runs the row, Esc "
            "hands focus back to the notebook.\n\n"
            "Everything here runs offline: the sandbox has demo deployments whose stand-in model answers "
            "deterministically, and each answer's trace takes feedback as orq's would."
        ),
        new_code_cell(
            "import asyncio\nfrom nbwidgets import Client, ExperimentReview\n\n"
            "client = Client.default()  # the sandbox unless ORQ_API_KEY is set\n"
            "support = client.list_datasets(search='support_quality').items[0]\n"
            "[d.key for d in client.list_deployments().items]"
        ),
        new_code_cell(
            "review = ExperimentReview(\n"
            "    client, support.id, deployment='support-reply', page_size=5, feedback=('rating', 'quality', 'correction')\n"
            ")\nreview"
        ),
        new_markdown_cell(
            "The widget's state is plain Python too: wait for the page, then judge from code (the same path as "
            "the buttons)."
        ),
        new_code_cell(
            "review.wait()\nfirst, second = review.results[:2]\n"
            "review.feedback(first['datapoint_id'], 'rating', 'good')\n"
            "review.feedback(first['datapoint_id'], 'quality', 4)\n"
            "review.feedback(second['datapoint_id'], 'correction', 'Sorry about that: a refund is on its way.')\n"
            "review.use_as_expected(first['datapoint_id'])  # the output becomes the expected output\n"
            "review.flush()\nprint(review.summary)"
        ),
        new_code_cell(
            'try:  # pandas is an optional extra: pip install "nbwidgets[pandas]"\n'
            "    display(review.to_pandas()[['datapoint_id', 'trace_id', 'metadata.tokens', 'feedback.rating', 'feedback.rating.state']])\n"
            "except ImportError as missing:  # a plain install: the message names the extra\n"
            "    print(missing)"
        ),
        new_markdown_cell(
            "The next page is generated when you get there (or ahead of time with *Prefetch next page*); "
            "nothing already generated runs again unless you re-run it."
        ),
        new_code_cell("review.next_page()\nreview.wait()\nprint(review.summary)"),
        new_markdown_cell(
            "## Your own function\n"
            "`generate(datapoint)` may return the output text, `(output, trace_id)`, or a dict with `output`, "
            "`trace_id` and metadata such as `tokens` or `cost`. Async functions work too, several calls in "
            "flight at once (`concurrency=`, 4 by default). A row whose call raises shows its error, the others go "
            "on; a row without a trace id says why it takes no feedback."
        ),
        new_code_cell(
            "async def generate(datapoint):\n"
            "    await asyncio.sleep(0.05)  # an API call\n"
            "    if datapoint.inputs.get('customer_tier') == 'enterprise':\n"
            "        raise RuntimeError('the model timed out')\n"
            "    return f\"Thanks for reaching out about: {datapoint.inputs.get('ticket', '')[:40]}\"\n\n"
            "mine = ExperimentReview(client, support.id, generate=generate, page_size=5, concurrency=2)\n"
            "mine.wait()\n[(r['state'], r['error'] or r['output'][:40]) for r in mine.results]"
        ),
        new_code_cell("mine"),
        new_markdown_cell("What is still queued, if anything (e.g. while offline):"),
        new_code_cell("client.outbox.flush(timeout=10)\nclient.outbox.pending()"),
        new_markdown_cell(
            "## Judges on every row\n"
            "`evaluators=` runs orq evaluators (by key or id) on each output as soon as it is generated, a few at "
            "a time and without holding up generation. Each row gets a verdict per evaluator (click it for the "
            "judge's explanation); the toolbar filters the rows (failing any judge, judge and people disagree, not "
            "yet judged) and sorts them by a judge's score, worst first. Verdicts are remembered by the client, "
            "so showing the same outputs again asks the service for nothing (`client.forget_evaluations()` clears "
            "them)."
        ),
        new_code_cell(
            "judged = ExperimentReview(\n"
            "    client, support.id, deployment='support-reply', page_size=5,\n"
            "    evaluators=['tone_check', 'answer_quality_jury'],\n"
            ")\njudged"
        ),
        new_code_cell(
            "judged.wait()\nprint(judged.summary)\n"
            "[(r['output'][:40], {key: v['value'] for key, v in r['evaluations'].items()}) for r in judged.results]"
        ),
        new_markdown_cell(
            "The same verdicts from code: `client.invoke_evaluator` runs a stored evaluator on any text and "
            "remembers the answer."
        ),
        new_code_cell(
            "tone = next(e for e in client.list_evaluators().items if getattr(e, 'key', None) == 'tone_check')\n"
            "verdict = client.invoke_evaluator(tone, output='Thanks for your patience: the refund is on its way.')\n"
            "verdict.passed, verdict.explanation"
        ),
    ],
    "08_tune_a_judge_against_people.ipynb": [
        new_markdown_cell(
            "# Tune a judge against people's labels\n\n"
            "Before trusting an LLM judge on 200 outputs, check it against the people who labelled some of them. "
            "This notebook runs a deployment over the demo tickets, has a judge grade every answer, sets the "
            "judge's verdicts beside the labels people gave, and then edits the judge until the two agree.\n\n"
            "**Agreement** is the share of rows where judge and people give the same label; **Cohen's kappa** "
            "corrects it for the agreement two raters would reach by chance with the same label frequencies "
            "(1 is perfect, 0 is chance). Everything runs offline on the sandbox, whose judge is local and "
            "deterministic."
        ),
        new_code_cell(
            "import uuid\nfrom nbwidgets import Client, EvaluatorForm, ExperimentReview\n\n"
            "client = Client.default()  # the sandbox unless ORQ_API_KEY is set\n"
            "support = client.list_datasets(search='support_quality').items[0]\n"
            "judge = client.create_evaluator({\n"
            "    'key': 'helpful_reply_' + uuid.uuid4().hex[:6],\n"
            "    'model': 'openai/gpt-4o',\n"
            "    'prompt': 'Does the reply {{output}} do what {{expected_output}} says? Answer true or false.',\n"
            "})\njudge.key"
        ),
        new_markdown_cell("The judge grades each answer of the `support-reply` deployment as it is generated:"),
        new_code_cell(
            "review = ExperimentReview(client, support.id, deployment='support-reply', page_size=10, "
            "evaluators=[judge.key])\nreview.wait()\nreview"
        ),
        new_markdown_cell(
            "Now the people. The expected outputs are the agent's instructions (\"Apologise, confirm the charge, "
            'refund it"), so a reply that only repeats them is a bad reply to a customer. In a real session the '
            "reviewers click 👍/👎 on the rows above; here their labels are given from code, through the same path."
        ),
        new_code_cell(
            "people = {r['datapoint_id']: 'bad' if r['output'] == r['expected_output'] else 'good' for r in review.results}\n"
            "for datapoint_id, label in people.items():\n"
            "    review.feedback(datapoint_id, 'rating', label)\n"
            "review.flush()\n"
            "first = review.agreement(judge.key, property='rating')\n"
            "print(first.sentence)\nfirst.confusion"
        ),
        new_markdown_cell(
            "The judge passes the replies that copy the instructions; the people do not. The review's toolbar "
            'shows the same ("Show them" filters the rows where they disagree, and j/k step through them):'
        ),
        new_code_cell("review.row_filter = 'disagree'\nreview"),
        new_markdown_cell(
            "Edit the judge where it lives. **Try it** (at the bottom of the form) runs the saved version on a "
            "page of the dataset; `form.try_on(...)` does the same from code. After a save the new version runs "
            "on the same rows and the rows whose verdict changed are marked."
        ),
        new_code_cell(
            "form = EvaluatorForm(client, judge.id)\n"
            "before = form.try_on(support.id, deployment='support-reply', limit=10)\n"
            "form"
        ),
        new_code_cell(
            "form.draft = {**form.draft, 'prompt': 'Is {{output}} a polite, helpful reply to the customer? '\n"
            "              'Answer true or false.'}\n"
            "form.version_increment = 'minor'\nform.save()\n"
            "after = form.try_on(support.id, deployment='support-reply', limit=10)  # the new version, same rows\n"
            "print(f\"version {form.try_status['version']}: {form.try_status['changed']} of {len(after)} verdicts changed\")\n"
            "[(r['text'][:50], r['before'], r['value']) for r in after if r.get('changed')]"
        ),
        new_markdown_cell(
            "Measure the new version against the same labels: a new review runs it on the same outputs (the "
            "deployment's stand-in answers the same way), and the people's labels are given again on its traces."
        ),
        new_code_cell(
            "again = ExperimentReview(client, support.id, deployment='support-reply', page_size=10, "
            "evaluators=[judge.key])\nagain.wait()\n"
            "for r in again.results:\n"
            "    again.feedback(r['datapoint_id'], 'rating', people[r['datapoint_id']])\n"
            "again.flush()\nsecond = again.agreement(judge.key, property='rating')\n"
            "print('before:', first.sentence)\nprint('after: ', second.sentence)"
        ),
        new_code_cell("again"),
    ],
    "09_compare_two_variants_blind.ipynb": [
        new_markdown_cell(
            "# Compare two variants, blind\n\n"
            "A new prompt, model or deployment version is a bet; run both over the same dataset and look. "
            "`ExperimentReview(..., variants={...})` generates every variant on each row, has the judges grade "
            "each output, and shows them side by side. With two variants it is **blind** by default: the columns "
            "say Left and Right, and which variant is on which side is drawn per row (the same on every re-run), "
            "so knowing which one is new cannot sway you.\n\n"
            "Keys on the rows: **1** left better, **2** right better, **t** tie, **b** both bad, **z** undo, "
            "**v** reveal the row's names (Shift+V all), **j/k** move, **d** diff mode. Each preference is "
            "feedback on both variants' traces (`better`/`worse`, `tie`, `both_bad` on the `preference` property)."
        ),
        new_code_cell(
            "from nbwidgets import Client, ExperimentReview\n\n"
            "client = Client.default()  # the sandbox unless ORQ_API_KEY is set\n"
            "support = client.list_datasets(search='support_quality').items[0]\n"
            "review = ExperimentReview(\n"
            "    client, support.id,\n"
            "    variants={'current': 'support-reply', 'concise': 'support-reply-concise'},\n"
            "    evaluators=['tone_check'], page_size=8,\n"
            ")\nreview.wait()\nreview"
        ),
        new_markdown_cell(
            "Judge the rows above by keyboard. Here a few preferences are given from code, through the same "
            "path: `prefer` takes a variant's name (or `'tie'`, `'neither'`); the widget sends sides."
        ),
        new_code_cell(
            "for result in review.results[:6]:\n"
            "    outputs = {name: v['output'] for name, v in result['variants'].items()}\n"
            "    expected = result['expected_output']\n"
            "    right = [name for name, text in outputs.items() if text == expected]\n"
            "    review.prefer(result['datapoint_id'], right[0] if len(right) == 1 else ('tie' if right else 'neither'))\n"
            "review.flush()\n"
            "print(sum(1 for r in review.results if r['preference']), 'preferences given')  # not which side is which"
        ),
        new_markdown_cell(
            "What the comparison says: wins, ties, both bad, each variant's win rate with a 95% Wilson interval, "
            "each judge's pass rate and mean per variant, and the rows where the variants' verdicts differ."
        ),
        new_code_cell(
            "result = review.comparison()\n"
            "# wins, win_rate and pass_rates name the variants: look at them once you have judged every row\n"
            "{k: result[k] for k in ('ties', 'both_bad')}"
        ),
        new_markdown_cell(
            "When you have judged every row, reveal the names (the table above the rows then shows the figures "
            "per variant): uncomment the line below, or press **Shift+V** in the review. It is left commented so "
            "that *Run All* keeps the review blind."
        ),
        new_code_cell("# review.reveal()\nreview.reveal_all  # False: still blind"),
    ],
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        notebook = new_notebook(
            cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        )
        nbformat.write(notebook, OUT / name)
        print("wrote", OUT / name)


if __name__ == "__main__":
    main()
