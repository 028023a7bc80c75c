"""garbage_collection_paused: the collector is off inside, back as it was after, across nesting and threads."""

import gc
import threading

import pytest

from hris.core.memory import garbage_collection_paused


@pytest.fixture(autouse=True)
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_and_resumed_after():
    with garbage_collection_paused():
        assert gc.isenabled() is False
    assert gc.isenabled() is True


def test_resumed_even_when_the_work_fails():
    with pytest.raises(ValueError), garbage_collection_paused():
        raise ValueError("bad batch")
    assert gc.isenabled() is True


def test_nested_pauses_resume_only_when_the_outer_one_ends():
    with garbage_collection_paused():
        with garbage_collection_paused():
            assert gc.isenabled() is False
        assert gc.isenabled() is False
    assert gc.isenabled() is True


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with garbage_collection_paused():
        assert gc.isenabled() is False
    assert gc.isenabled() is False


def test_two_threads_the_collector_resumes_when_the_last_one_leaves():
    first_inside, second_done, states = threading.Event(), threading.Event(), []

    def first():
        with garbage_collection_paused():
            first_inside.set()
            second_done.wait(5)
            states.append(("first, after the second left", gc.isenabled()))

    def second():
        first_inside.wait(5)
        with garbage_collection_paused():
            pass
        states.append(("second left", gc.isenabled()))
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert states == [("second left", False), ("first, after the second left", False)]
    assert gc.isenabled() is True
