import pytest

from hris.core import events
from hris.reviews.services import transitions
from hris.reviews.services.adjustments import adjustment_create
from hris.reviews.services.appeals import appeal_file, appeal_resolve
from hris.reviews.services.publication import results_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def emitted():
    captured: list[events.Event] = []
    events.register_receiver(captured.append)
    yield captured
    events._receivers.remove(captured.append)


def recipients(world, event) -> set[str]:  # noqa: ANN001
    names = {user.pk: name for name, user in world.users.items()}
    return {names[user_id] for user_id in event.recipient_user_ids}


def test_who_hears_about_each_step(review, emitted):
    world = review.world
    review.to_review()
    started = next(event for event in emitted if event.key == "kpi.review_started")
    assert recipients(world, started) == {"ceo", "prod_head", "sales_head"}
    adjustment_create(actor=world.user("ceo"), assessment=review.assessment("w1_worker"), delta="2", reason="Before publication")
    adjusted = next(event for event in emitted if event.key == "kpi.adjustment_made")
    assert recipients(world, adjusted) == {"hr_admin", "hrbp", "w1_lead", "prod_head"}  # HR and the manager chain, not the employee yet
    assert adjusted.payload["delta"] == "2.00"
    emitted.clear()
    hr = world.user("hr_admin")
    transitions.calibration_start(actor=hr, cycle=review.cycle)
    transitions.approval_request(actor=hr, cycle=review.cycle)
    transitions.approval_decide(actor=world.user("ceo"), cycle=review.cycle, approve=True)
    results_publish(actor=hr, cycle=review.cycle)
    published = [event for event in emitted if event.key == "kpi.score_published"]
    assert sorted(recipients(world, event).pop() for event in published) == ["w1_lead", "w1_worker", "w2_worker"]
    approval = next(event for event in emitted if event.key == "kpi.approval_requested")
    assert recipients(world, approval) == {"ceo"}
    appeal = appeal_file(actor=world.user("w1_worker"), assessment=review.assessment("w1_worker"), reason="Please check")
    filed = next(event for event in emitted if event.key == "kpi.appeal_filed")
    assert recipients(world, filed) == {"hr_admin", "hrbp", "ceo"}
    appeal_resolve(actor=world.user("ceo"), appeal=appeal, upheld=True, reason="Checked", delta="1")
    resolved = next(event for event in emitted if event.key == "kpi.appeal_resolved")
    assert "w1_worker" in recipients(world, resolved)
    after = [event for event in emitted if event.key == "kpi.adjustment_made"][-1]
    assert "w1_worker" in recipients(world, after)  # after publication the employee hears of adjustments
