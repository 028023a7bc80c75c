"""Concurrent adjustments of one assessment serialise on its row lock: none is lost (PostgreSQL only)."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from hris.accounts.models import User
from hris.kpi.models import Assessment
from hris.reviews.models import ScoreAdjustment
from hris.reviews.services.adjustments import adjustment_create
from hris.reviews.services.transitions import review_start
from hris.reviews.tests.conftest import computed_scenario
from hris.tests.world import build_world

THREADS = 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks of a real database server")
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_adjustments_are_all_kept():
    world = build_world()
    scenario = computed_scenario(world)
    review_start(actor=world.user("hr_admin"), cycle=scenario.cycle)
    assessment_id = scenario.assessments["w1_worker"].pk
    ceo_id = world.users["ceo"].pk

    def adjust(number: int) -> Decimal:
        try:
            result = adjustment_create(
                actor=User.objects.get(pk=ceo_id),
                assessment=Assessment.objects.select_related("cycle", "employee", "department").get(pk=assessment_id),
                delta="1",
                reason=f"Concurrent adjustment {number}",
            )
            return result.final_after
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        finals = list(pool.map(adjust, range(THREADS)))

    assessment = Assessment.objects.get(pk=assessment_id)
    assert ScoreAdjustment.objects.filter(assessment_id=assessment_id).count() == THREADS
    assert assessment.adjustment_total == Decimal("8.00")
    assert assessment.final_score == assessment.computed_total + Decimal("8.00")
    assert sorted(finals) == [assessment.computed_total + step for step in range(1, THREADS + 1)]
    befores = sorted(ScoreAdjustment.objects.filter(assessment_id=assessment_id).values_list("final_before", flat=True))
    assert befores == [assessment.computed_total + step for step in range(THREADS)]
