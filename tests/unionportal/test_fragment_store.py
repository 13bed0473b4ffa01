"""unionportal.fragment_store: the newest entries kept, keys that differ by language (the list
pages' rows that use it are tested in tests/services/test_work_queue.py and
tests/assessment/test_list_rows.py)."""

from django.utils import timezone, translation

from unionportal.fragment_store import FragmentStore


def test_the_store_keeps_its_newest_entries_and_keys_by_language_and_time_zone():
    store = FragmentStore(2, "assessment/_sheet_row.html")
    for name in ("one", "two", "three"):
        store.put(name, f"<p>{name}</p>")
    assert store.get_many({1: "one", 2: "two", 3: "three"}) == {2: "<p>two</p>", 3: "<p>three</p>"}
    with translation.override("en"):
        english = store.key("same", 1)
    with translation.override("zh-hans"):
        chinese = store.key("same", 1)
    assert english != chinese and store.key("same", 1) == store.key("same", 1)
    with translation.override("zh-hans"), timezone.override("UTC"):  # dates print in the time zone
        assert store.key("same", 1) != chinese


def test_shared_values_are_worked_out_once_per_object_and_follow_its_columns():
    from types import SimpleNamespace

    from unionportal.fragment_store import SharedValues

    class Row(SimpleNamespace):
        pass

    shared = SharedValues()
    first, same, other = Row(pk=1, name="甲"), Row(pk=1, name="甲"), Row(pk=2, name="甲")
    assert shared(first) == shared(same)  # the same row of one query: once
    assert shared(first) != shared(other)
    assert shared(None) is None
    assert SharedValues()(Row(pk=1, name="乙")) != shared(first)  # another list sees the change
