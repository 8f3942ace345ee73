"""DatasetGrid grows and prunes (issue 26): add, select, delete with undo, find and replace with a preview,
paste from a spreadsheet; orq saves each through the write path, Overmind stages them into one version.
Intents are sent as the front end sends them; the service and the grid's traits are both checked."""

from __future__ import annotations

import pytest
from servers import wait_for

from nbwidgets import DatasetGrid

pytestmark = pytest.mark.usefixtures("shapes_held")  # every value sent has its trait's shape (conftest.py)


@pytest.fixture
def grid_on(orq, fresh_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    orq.create_datapoints(
        fresh_dataset.id,
        [{"inputs": {"q": f"question {i}"}, "expected_output": f"The colour is red ({i})"} for i in range(30)],
    )
    grid = DatasetGrid(orq, fresh_dataset.id, page_size=10)
    assert len(grid.rows) == 10
    return grid


def service(orq, dataset_id):
    return [dp.expected_output for dp in orq.iter_datapoints(dataset_id)]


def shown(grid):
    patches = grid._row_patches
    return [{**row, **patches.get(row["id"], {})}["expected_output"] for row in grid._page_rows]


def test_add_a_datapoint_saves_it_once_and_shows_it_where_orq_lists_it(grid_on, orq, fresh_dataset):
    made = grid_on.add_datapoint(inputs={"q": "new question ✓"}, expected_output="A new answer «ü»")
    assert made.expected_output == "A new answer «ü»" and made.inputs == {"q": "new question ✓"}
    assert service(orq, fresh_dataset.id)[-1] == "A new answer «ü»" and len(service(orq, fresh_dataset.id)) == 31
    assert grid_on.selected_id == made.id and grid_on.page_number == 4  # the last page: orq lists it last
    assert "A new answer «ü»" in shown(grid_on) and grid_on.total == 31
    assert grid_on.row_status[made.id]["state"] == "saved"
    assert grid_on.find == {}  # shown without running Find: its bar says nothing


def test_add_leaves_a_find_in_progress_as_it_was(grid_on, orq, fresh_dataset):
    grid_on.handle({"type": "find", "text": "(2"})
    wait_for(lambda: grid_on.find.get("complete") and not grid_on.find.get("running"))
    found = dict(grid_on.find)
    assert found["query"] == "(2" and len(found["hits"]) == 11
    made = grid_on.add_datapoint(expected_output="added while finding")
    assert grid_on.selected_id == made.id and grid_on.page_number == 4
    assert grid_on.find == found  # not "1 found" by id: the user's find stays


def test_add_refuses_bad_input_in_a_sentence_and_sends_nothing(grid_on, orq, fresh_dataset):
    with pytest.raises(ValueError, match="input 'ctx' is an object; orq inputs are flat"):
        grid_on.add_datapoint(inputs={"ctx": {"nested": 1}})
    with pytest.raises(ValueError, match="the expected output must be text, not a number"):
        grid_on.add_datapoint(expected_output=5)
    assert len(service(orq, fresh_dataset.id)) == 30 and grid_on.client.outbox.pending() == []


def test_select_page_all_and_by_id(grid_on):
    page = [dp.id for dp in grid_on.rows]
    assert grid_on.select(page[:3]) == page[:3] and grid_on.selected_ids == page[:3]
    grid_on.handle({"type": "select", "ids": [page[5]], "how": "add"})
    assert grid_on.selection == [*page[:3], page[5]]
    grid_on.select([])
    assert grid_on.select(page=True) == page
    everything = grid_on.select(all=True)
    assert len(everything) == 30 and grid_on.selecting == {"all": True, "count": 30}


def test_delete_the_selection_then_undo_brings_them_back_as_new_datapoints(grid_on, orq, fresh_dataset):
    before = service(orq, fresh_dataset.id)
    page = [dp.id for dp in grid_on.rows]
    grid_on.select(page[:3])
    deleted = grid_on.delete_datapoints()
    assert deleted == page[:3] and grid_on.selected_ids == []
    assert service(orq, fresh_dataset.id) == before[3:]
    assert shown(grid_on) == before[3:13] and grid_on.total == 27  # the screen shows what the service holds
    assert "Deleted 3 datapoints" in grid_on.notice and "new datapoints" in grid_on.notice
    made = grid_on.undo()
    assert [dp.expected_output for dp in made] == before[:3]
    assert service(orq, fresh_dataset.id) == before[3:] + before[:3]  # made anew: listed last
    wait_for(lambda: "Brought back 3" in grid_on.notice and grid_on.total == 30)
    assert not {dp.id for dp in made} & set(page)  # new ids


def test_delete_with_nothing_selected_is_a_sentence(grid_on, orq, fresh_dataset):
    with pytest.raises(ValueError, match="nothing to delete: no datapoint is selected"):
        grid_on.delete_datapoints()
    with pytest.raises(ValueError, match="nothing is selected"):
        grid_on.replace("red", "blue")
    assert len(service(orq, fresh_dataset.id)) == 30


def test_delete_every_datapoint_selected_by_select_all(grid_on, orq, fresh_dataset):
    grid_on.select(all=True)
    grid_on.delete_datapoints()
    assert service(orq, fresh_dataset.id) == [] and grid_on.total == 0
    assert grid_on.rows == []


def test_replace_preview_sends_nothing_then_replace_across_the_page(grid_on, orq, fresh_dataset):
    before = service(orq, fresh_dataset.id)
    previewed = grid_on.replace("red", "blue", scope="page", preview=True)
    assert len(previewed) == 10 and previewed[0]["before"] == "The colour is red (0)"
    assert previewed[0]["after"] == "The colour is blue (0)"
    assert grid_on.replace_preview["count"] == 10 and service(orq, fresh_dataset.id) == before
    changes = grid_on.replace("red", "blue", scope="page")
    assert len(changes) == 10
    assert service(orq, fresh_dataset.id) == [t.replace("red", "blue") for t in before[:10]] + before[10:]
    wait_for(lambda: shown(grid_on) == [t.replace("red", "blue") for t in before[:10]])


def test_one_undo_takes_back_a_whole_replace_and_says_how_many(grid_on, orq, fresh_dataset):
    before = service(orq, fresh_dataset.id)
    single = grid_on.rows[9].id
    grid_on.edit(single, expected_output="edited by hand")  # an edit before the replace: its own Undo step
    grid_on.replace("red", "blue", scope="page")
    assert service(orq, fresh_dataset.id)[:9] == [t.replace("red", "blue") for t in before[:9]]
    reverted = grid_on.undo()  # the whole replace, through the write path
    assert len(reverted) == 9 and service(orq, fresh_dataset.id)[:10] == [*before[:9], "edited by hand"]
    wait_for(lambda: grid_on.notice == "Undid the replace: reverted 9 datapoints.")
    wait_for(lambda: shown(grid_on) == [*before[:9], "edited by hand"])  # the screen shows it too
    grid_on.undo()  # then the edit made before it
    assert service(orq, fresh_dataset.id) == before and not grid_on.can_undo


def test_undo_of_a_replace_meets_a_row_changed_since_as_a_conflict(grid_on, orq, fresh_dataset):
    before = service(orq, fresh_dataset.id)
    grid_on.replace("red", "blue", scope="page")
    changed = grid_on.rows[2].id
    orq.update_datapoint(fresh_dataset.id, changed, expected_output="someone else's text")
    grid_on.undo(wait=False)
    assert grid_on.client.outbox.flush(60)
    wait_for(lambda: grid_on.notice.startswith("Undid the replace: reverted 9 of 10 datapoints"))
    assert grid_on.row_status[changed]["state"] == "conflict"  # kept, not overwritten: as for any edit
    now = service(orq, fresh_dataset.id)
    assert now[2] == "someone else's text" and now[:2] + now[3:10] == before[:2] + before[3:10]


def test_one_undo_takes_back_a_paste_that_filled_cells(grid_on, orq, fresh_dataset):
    before = service(orq, fresh_dataset.id)
    page = [dp.id for dp in grid_on.rows]
    grid_on.select(page[1:4])
    grid_on.paste("one\ntwo\nthree")
    assert service(orq, fresh_dataset.id)[1:4] == ["one", "two", "three"]
    assert len(grid_on.undo()) == 3 and service(orq, fresh_dataset.id) == before
    wait_for(lambda: grid_on.notice == "Undid the paste: reverted 3 datapoints.")


def test_replace_from_the_front_end_applies_exactly_what_was_previewed(grid_on, orq, fresh_dataset):
    grid_on.handle(
        {
            "type": "replace_preview",
            "find": "colour",
            "replace": "color",
            "field": "expected_output",
            "scope": "dataset",
        }
    )
    assert grid_on.replace_preview["count"] == 30
    assert grid_on.replace_preview["changes"][0] == {
        "id": grid_on.replace_preview["changes"][0]["id"],
        "before": "The colour is red (0)",
        "after": "The color is red (0)",
    }
    grid_on.handle({"type": "replace_apply"})
    assert grid_on.client.outbox.flush(60) and grid_on.replace_preview == {}
    assert service(orq, fresh_dataset.id) == [f"The color is red ({i})" for i in range(30)]


def test_replace_in_inputs_leaves_keys_alone(grid_on, orq, fresh_dataset):
    grid_on.replace("question", "query", field="inputs", scope="page")
    assert [dp.inputs for dp in orq.iter_datapoints(fresh_dataset.id)][:2] == [{"q": "query 0"}, {"q": "query 1"}]


def test_paste_rows_with_a_header_become_new_datapoints(grid_on, orq, fresh_dataset):
    text = "question\texpected_output\nWie spät?\tHalb drei ✓\nOù ?\tIci\n"
    plan = grid_on.paste(text, preview=True)
    assert plan["mode"] == "new" and [r["fields"] for r in plan["rows"]] == [
        {"inputs": {"question": "Wie spät?"}, "expected_output": "Halb drei ✓"},
        {"inputs": {"question": "Où ?"}, "expected_output": "Ici"},
    ]
    assert grid_on.paste_preview["count"] == 2 and len(service(orq, fresh_dataset.id)) == 30
    made = grid_on.paste(text)
    assert [dp.expected_output for dp in made] == ["Halb drei ✓", "Ici"]
    assert service(orq, fresh_dataset.id)[-2:] == ["Halb drei ✓", "Ici"]


def test_paste_without_a_header_fills_the_selected_rows(grid_on, orq, fresh_dataset):
    page = [dp.id for dp in grid_on.rows]
    grid_on.select(page[1:3])
    plan = grid_on.paste("first pasted\nsecond pasted", preview=True)
    assert plan["mode"] == "fill" and [r["id"] for r in plan["rows"]] == page[1:3]
    assert grid_on.paste_preview["rows"][0]["before"] == {"expected_output": "The colour is red (1)"}
    grid_on.paste("first pasted\nsecond pasted")
    assert service(orq, fresh_dataset.id)[1:3] == ["first pasted", "second pasted"]
    with pytest.raises(ValueError, match="3 rows pasted into 2 selected rows"):
        grid_on.paste("a\nb\nc")


def test_overmind_add_delete_and_replace_stage_into_one_version(overmind, own_version, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    grid = DatasetGrid(overmind, own_version.id, page_size=10)
    page = [dp.id for dp in grid.rows]
    assert grid.add_datapoint(inputs={"question": "new"}, expected_output="added") is None
    grid.select(page[:2])
    assert grid.delete_datapoints() is None
    assert grid.version_changes == {"added": 1, "removed": page[:2]}
    grid.replace("a", "A", field="expected_output", scope="page", preview=False)
    assert overmind.get_dataset(own_version.id).num_datapoints == 40  # nothing sent yet
    made = grid.save_version()
    assert made.num_datapoints == 39 and grid.version_changes == {}
    version = overmind.get_dataset(made.id)
    ids = [dp.id for dp in version.datapoints]
    assert len(ids) == 39 and version.datapoints[-1].expected_output == "added"
    assert version.datapoints[-1].input == {"question": "new"}


def test_delete_and_its_undo_under_lost_answers_and_429s_happen_exactly_once(
    sandbox, orq, fresh_dataset, tmp_path, monkeypatch
):
    from nbwidgets import Client
    from nbwidgets.client import RetryPolicy

    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    orq.create_datapoints(fresh_dataset.id, [{"expected_output": f"«{i}»"} for i in range(30)])
    client = Client.orq(
        sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=8, initial_delay=0.01, max_delay=0.05)
    )
    grid = DatasetGrid(client, fresh_dataset.id, page_size=10)
    assert grid.select(all=True)
    sandbox.set_faults(drop_rate=0.3, rate_limit_rate=0.1, retry_after_ms=5)
    try:
        grid.delete_datapoints()
        assert service(orq, fresh_dataset.id) == []
        made = grid.undo()
        assert client.outbox.flush(120)
    finally:
        sandbox.clear_faults()
    assert [dp.expected_output for dp in made] == [f"«{i}»" for i in range(30)]
    assert service(orq, fresh_dataset.id) == [f"«{i}»" for i in range(30)]  # each once, in the order they were
    wait_for(lambda: grid.total == 30 and len(grid.rows) == 10)
    client.close()
