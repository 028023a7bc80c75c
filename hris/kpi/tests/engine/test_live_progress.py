"""Live progress: actuals to date, prorated targets and projected scores from the same engine."""

from datetime import date
from decimal import Decimal

import pytest

from hris.kpi.choices import CycleState
from hris.kpi.live_progress import elapsed_fraction, live_progress
from hris.kpi.models import AssessmentItem
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing

pytestmark = pytest.mark.django_db


def test_mid_period_progress_counts_only_records_to_date_and_prorates_sums(world):
    # given the October cycle open, w1_worker's records, seen by HR on 15 October
    scenario = manufacturing(world)
    scenario.cycle.state = CycleState.OPEN
    scenario.cycle.save()
    give_worker_data(world, scenario)

    progress = live_progress(world.user("hr_admin"), scenario.cycle, as_of=date(2026, 10, 15))

    assert progress["elapsed_percent"] == Decimal("48.4")  # 15 of 31 days
    worker = next(row for row in progress["employees"] if row.employee_name == "李工人")
    items = {item.name: item for item in worker.items}
    # efficiency: only the record of the 10th (90) so far; an average is compared with the full target
    assert (items["production_efficiency"].actual, items["production_efficiency"].prorated_target) == (Decimal("90"), Decimal("100"))
    assert items["production_efficiency"].on_track is False
    assert items["production_efficiency"].projected_score == Decimal("90.00")
    # department sales: 300,000 by the 5th; the sum target 500,000 is prorated to 15/31
    assert items["sales_amount"].actual == Decimal("300000")
    assert items["sales_amount"].prorated_target == Decimal("241935.4839")
    assert items["sales_amount"].on_track is True
    # nothing is written
    assert AssessmentItem.objects.count() == 0


def test_progress_is_limited_to_the_viewers_scope(world):
    scenario = manufacturing(world)
    scenario.cycle.state = CycleState.OPEN
    scenario.cycle.save()

    own = live_progress(world.user("w1_worker"), scenario.cycle, as_of=date(2026, 10, 15))
    outsider = live_progress(world.user("sales_head"), scenario.cycle, as_of=date(2026, 10, 15))
    manager = live_progress(world.user("prod_head"), scenario.cycle, as_of=date(2026, 10, 15))

    assert [row.employee_name for row in own["employees"]] == ["李工人"]
    assert outsider["employees"] == []
    assert sorted(row.employee_name for row in manager["employees"]) == ["周工人", "孙班长", "李工人"]
    assert sorted((row.name, row.headcount) for row in manager["departments"]) == [("一车间", 2), ("二车间", 1)]


def test_elapsed_fraction_is_clamped_to_the_period(world):
    scenario = manufacturing(world)
    assert elapsed_fraction(scenario.cycle, date(2026, 9, 1)) == Decimal(0)
    assert elapsed_fraction(scenario.cycle, date(2026, 12, 1)) == Decimal(1)
    assert elapsed_fraction(scenario.cycle, date(2026, 10, 31)) == Decimal(1)
