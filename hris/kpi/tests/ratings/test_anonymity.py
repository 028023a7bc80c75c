"""Anonymous peer feedback: who sees peer names, and the exact aggregate everyone else sees."""

from decimal import Decimal

import pytest

from hris.kpi.models import Rating, RatingSettings
from hris.kpi.selectors_ratings import assessment_ratings

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_ratings(world, rated, due):  # noqa: ANN001, ANN201
    RatingSettings.objects.create(cycle=rated.cycle, due_date=due, anonymous_peers=True)
    assessment = rated.assessments["w1_worker"]
    for rater, role, value, comment in [
        ("w1_lead", "manager", "4", "稳定"),
        ("w2_worker", "peer", "5", "乐于助人"),
        ("sales_rep", "peer", "3.5", "沟通可以更主动"),
        ("hrbp", "peer", "4", ""),
    ]:
        Rating.objects.create(
            assessment=assessment, indicator=rated.teamwork, rater_role=role, rater=world.user(rater), value=Decimal(value), comment=comment
        )
    return assessment


@pytest.mark.parametrize("viewer", ["w1_worker", "prod_head", "ceo"])
def test_the_employee_and_managers_see_peers_only_as_count_and_average(world, rated, worker_ratings, viewer):
    seen = assessment_ratings(world.user(viewer), worker_ratings)

    assert (seen.anonymous_peers, seen.names_hidden) == (True, True)
    [teamwork] = seen.indicators
    assert [(rating.role, rating.rater_name, rating.value) for rating in teamwork.named] == [("manager", "孙班长", Decimal("4.00"))]
    # (5 + 3.5 + 4) / 3 = 4.1666… → 4.17
    assert (teamwork.peers.count, teamwork.peers.average) == (3, Decimal("4.17"))
    assert teamwork.peers.comments == ["乐于助人", "沟通可以更主动"]


@pytest.mark.parametrize("viewer", ["hr_admin", "hrbp"])
def test_hr_running_the_review_sees_the_names(world, rated, worker_ratings, viewer):
    seen = assessment_ratings(world.user(viewer), worker_ratings)

    assert (seen.anonymous_peers, seen.names_hidden) == (True, False)
    [teamwork] = seen.indicators
    assert teamwork.peers is None
    assert sorted(rating.rater_name for rating in teamwork.named if rating.role == "peer") == ["冯伙伴", "周工人", "郑业务"]


def test_hr_rated_as_a_peer_in_their_own_assessment_does_not_see_names_there(world, rated, due):
    RatingSettings.objects.create(cycle=rated.cycle, due_date=due, anonymous_peers=True)
    from hris.kpi.models import Assessment

    hr = world.employee("hr_admin")
    own = Assessment.objects.create(cycle=rated.cycle, employee=hr, department=hr.department, template_version=rated.version)
    Rating.objects.create(assessment=own, indicator=rated.teamwork, rater_role="peer", rater=world.user("hrbp"), value=4)

    seen = assessment_ratings(world.user("hr_admin"), own)

    assert seen.names_hidden and seen.indicators[0].named == [] and seen.indicators[0].peers.count == 1


def test_without_anonymity_everyone_who_sees_the_assessment_sees_names(world, rated, worker_ratings):
    RatingSettings.objects.filter(cycle=rated.cycle).update(anonymous_peers=False)

    seen = assessment_ratings(world.user("w1_worker"), worker_ratings)

    assert seen.names_hidden is False
    assert len(seen.indicators[0].named) == 4 and seen.indicators[0].peers is None


def test_the_ratings_page_shows_no_peer_name_to_the_employee(client, world, rated, worker_ratings):
    client.force_login(world.user("w1_worker"))
    response = client.get(f"/kpi/ratings/assessments/{worker_ratings.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "孙班长" in html and "average 4.17" in html and "3 anonymous peers" in html
    assert not any(name in html for name in ("周工人", "郑业务", "冯伙伴"))
    assert "Peer feedback in this cycle is anonymous" in html


def test_the_ratings_page_is_not_found_outside_the_viewers_scope(client, world, rated, worker_ratings):
    client.force_login(world.user("w2_worker"))
    assert client.get(f"/kpi/ratings/assessments/{worker_ratings.pk}/").status_code == 404
