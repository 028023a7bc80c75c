from decimal import Decimal

import pytest

from hris.calibration.grading import BUILTIN_SCALE, Band, Scale
from hris.calibration.selectors import Row, distribution_of, grade_distribution, nine_box_of, outliers_of, performance_of
from hris.calibration.tests.helpers import D, make_population

pytestmark = pytest.mark.django_db


def test_distribution_of_hand_made_population():
    # 20 people: 3 S (15 % > 10 %), 6 A (30 % > 20 %), 8 B, 3 C, 0 D (0 % < 5 %)
    scores = [D(x) for x in [99, 95, 96] + [85, 86, 90, 91, 94.99, 88] + [70] * 8 + [60, 65, 69.99]] + [None, None]
    dist = distribution_of("ACME", scores, BUILTIN_SCALE)
    assert dist.total == 20 and dist.unscored == 2
    summary = [(g.letter, g.count, g.percent, g.status, g.off_by) for g in dist.grades]
    assert summary == [
        ("S", 3, Decimal("15.0"), "over", 1),
        ("A", 6, Decimal("30.0"), "over", 2),
        ("B", 8, Decimal("40.0"), "ok", 0),
        ("C", 3, Decimal("15.0"), "ok", 0),
        ("D", 0, Decimal("0.0"), "under", 1),
    ]
    assert dist.warnings == [
        "S: 15 % (target ≤ 10 %) — 1 person above target",
        "A: 30 % (target ≤ 20 %) — 2 people above target",
        "D: 0 % (target ≥ 5 %) — 1 person below target",
    ]
    assert dist.mean == (sum(s for s in scores if s is not None) / 20).quantize(Decimal("0.01"))


def test_percent_rounding_and_exact_limit_is_within_target():
    scale = Scale(bands=(Band("A", "", D(80), max_percent=D("33.33")), Band("B", "", D(0))))
    dist = distribution_of("x", [D(90), D(10), D(10)], scale)  # 1 of 3 = 33.3 % but 100 > 99.99 → over by one
    assert [(g.count, g.percent, g.status, g.off_by) for g in dist.grades] == [
        (1, Decimal("33.3"), "over", 1),
        (2, Decimal("66.7"), "ok", 0),
    ]
    exact = distribution_of("x", [D(90)] + [D(10)] * 9, Scale(bands=(Band("A", "", D(80), max_percent=D(10)), Band("B", "", D(0)))))
    assert exact.grades[0].status == "ok" and exact.warnings == []


def test_unchecked_population_has_no_warnings():
    dist = distribution_of("small", [D(99), D(99)], BUILTIN_SCALE, check=False)
    assert dist.grades[0].count == 2 and dist.grades[0].percent == Decimal("100.0") and dist.warnings == []


def _row(pk, score, *, dept=1, adjustment=0, grade="", potential=""):
    return Row(
        id=pk, employee_id=pk, employee_name=f"E{pk}", employee_number=f"{pk:03d}", user_id=None, department_id=dept,
        department_name=f"D{dept}", department_path=f"000{dept}", computed_total=D(score), adjustment_total=D(adjustment),
        final_score=D(score), grade=grade, potential=potential,
    )  # fmt: skip


def test_outliers():
    rows = [_row(i, 80) for i in range(1, 11)] + [_row(11, 20, dept=2, adjustment=-6), _row(12, None, adjustment=5)]
    result = outliers_of(rows)
    # mean = (800 + 20) / 11 = 74.545…; deviation of the 20 = -54.55; σ = 17.25 → only it is beyond 2σ
    assert result.mean == Decimal("74.55")
    assert result.std_dev == Decimal("17.25")
    assert [(r.id, dev) for r, dev in result.score_outliers] == [(11, Decimal("-54.55"))]
    assert [(d["name"], d["headcount"], d["mean"], d["deviation"]) for d in result.departments] == [
        ("D2", 1, Decimal("20.00"), Decimal("-54.55")),
        ("D1", 10, Decimal("80.00"), Decimal("5.45")),
    ]
    assert [r.id for r in result.adjustments] == [11, 12]


def test_outliers_of_equal_scores_and_empty():
    assert outliers_of([_row(1, 80), _row(2, 80)]).score_outliers == []
    assert outliers_of([]).mean is None


def test_performance_mapping_and_nine_box():
    assert [performance_of(x, BUILTIN_SCALE) for x in ["S", "A", "B", "C", "D", ""]] == ["high", "high", "medium", "low", "low", ""]
    custom = Scale(bands=tuple(Band(x, "", D(100 - 10 * i)) for i, x in enumerate(["优", "良", "中", "差", "劣"])))
    assert [performance_of(x, custom) for x in ["优", "良", "中", "差", "劣", "?"]] == ["high", "high", "medium", "low", "low", ""]
    rows = [
        _row(1, 96, grade="S", potential="high"),
        _row(2, 75, grade="B", potential="medium"),
        _row(3, 50, grade="D", potential="low"),
        _row(4, 88, grade="A", potential="low"),
        _row(5, 88, grade="A"),
        _row(6, None),
    ]
    box = nine_box_of(rows, BUILTIN_SCALE)
    grid = [[(cell.potential, cell.performance, cell.label, [r.id for r in cell.people]) for cell in line] for line in box["grid"]]
    assert grid == [
        [("high", "low", "Rough diamond", []), ("high", "medium", "Future star", []), ("high", "high", "Star", [1])],
        [("medium", "low", "Inconsistent player", []), ("medium", "medium", "Core player", [2]), ("medium", "high", "High performer", [])],
        [("low", "low", "Underperformer", [3]), ("low", "medium", "Effective employee", []), ("low", "high", "Trusted professional", [4])],
    ]
    assert [r.id for r in box["unrated"]] == [5] and [r.id for r in box["unscored"]] == [6]


def test_grade_distribution_selector_scopes(world):
    cycle, _a, _t = make_population(
        world, {"w1_lead": 96, "w1_worker": 88, "w2_worker": 72, "prod_head": 50, "sales_head": 97, "sales_rep": 99, "hr_admin": None}
    )
    everything = grade_distribution(world.user("hr_admin"), cycle)
    assert everything["total"] == 6 and everything["unscored"] == 1
    assert [(g["letter"], g["count"]) for g in everything["grades"]] == [("S", 3), ("A", 1), ("B", 1), ("C", 0), ("D", 1)]
    assert everything["warnings"] == ["S: 50 % (target ≤ 10 %) — 3 people above target"]
    # departments are listed; none has 5 people, so none is checked
    assert [(d["name"], d["total"], d["checked"]) for d in everything["departments"]] == [
        ("生产部", 1, False), ("一车间", 2, False), ("二车间", 1, False), ("销售部", 2, False), ("人事行政部", 0, False)
    ]  # fmt: skip
    subtree = grade_distribution(world.user("prod_head"), cycle)
    assert subtree["total"] == 4 and [(g["letter"], g["count"]) for g in subtree["grades"]] == [
        ("S", 1), ("A", 1), ("B", 1), ("C", 0), ("D", 1)
    ]  # fmt: skip
    only_workshop = grade_distribution(world.user("hr_admin"), cycle, department=world.workshop1)
    assert only_workshop["total"] == 2
