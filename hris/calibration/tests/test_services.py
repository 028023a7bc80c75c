from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.calibration.grading import grade_for_score, scale_for_cycle
from hris.calibration.models import CalibrationNote, GradeBand, GradeScale, PotentialRating
from hris.calibration.services import calibration_note_add, grade_scale_reset, grade_scale_save, potential_set, validate_bands
from hris.calibration.tests.helpers import make_population
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.kpi.choices import CycleState

pytestmark = pytest.mark.django_db

GOOD = [
    {"letter": "S", "label": "卓越", "min_score": "95", "max_percent": "10", "min_percent": None},
    {"letter": "A", "label": "优秀", "min_score": "85", "max_percent": "20", "min_percent": ""},
    {"letter": "B", "label": "", "min_score": "70", "max_percent": None, "min_percent": None},
    {"letter": "D", "label": "", "min_score": "0", "max_percent": None, "min_percent": "5"},
]


def test_save_company_default_is_used_and_audited(world):
    cycle, _a, _t = make_population(world, {})
    scale = grade_scale_save(actor=world.user("hr_admin"), company=world.company, bands=GOOD, min_department_size=3)
    assert scale.cycle is None and scale.min_department_size == 3
    assert list(scale.bands.values_list("letter", "min_score", "max_percent", "min_percent")) == [
        ("S", Decimal("95.00"), Decimal("10.00"), None),
        ("A", Decimal("85.00"), Decimal("20.00"), None),
        ("B", Decimal("70.00"), None, None),
        ("D", Decimal("0.00"), None, Decimal("5.00")),
    ]
    assert grade_for_score(cycle=cycle, score=Decimal("69.99")) == "D"
    event = AuditEvent.objects.get(action="calibration.grade_scale_saved")
    assert event.before is None and event.after["min_department_size"] == 3 and event.after["bands"][3]["min_percent"] == "5.00"
    # saving again replaces the bands and records before/after
    grade_scale_save(
        actor=world.user("hr_admin"), company=world.company, bands=[GOOD[0], {"letter": "A", "min_score": "0"}], min_department_size=5
    )
    assert GradeBand.objects.count() == 2 and GradeScale.objects.count() == 1
    second = AuditEvent.objects.filter(action="calibration.grade_scale_saved").order_by("-sequence").first()
    assert len(second.before["bands"]) == 4 and len(second.after["bands"]) == 2


def test_cycle_override_and_reset(world):
    cycle, _a, _t = make_population(world, {})
    hr = world.user("hr_admin")
    grade_scale_save(
        actor=hr, company=world.company, cycle=cycle, bands=[{"letter": "优", "min_score": "80"}, {"letter": "差", "min_score": "0"}]
    )
    assert scale_for_cycle(cycle).source == "cycle" and grade_for_score(cycle=cycle, score=Decimal("80")) == "优"
    grade_scale_reset(actor=hr, cycle=cycle)
    assert scale_for_cycle(cycle).source == "builtin" and not GradeScale.objects.exists()
    assert AuditEvent.objects.filter(action="calibration.grade_scale_reset").count() == 1


def test_published_cycle_scale_is_frozen(world):
    cycle, _a, _t = make_population(world, {}, state=CycleState.PUBLISHED)
    with pytest.raises(Conflict):
        grade_scale_save(actor=world.user("hr_admin"), company=world.company, cycle=cycle, bands=GOOD)
    assert not GradeScale.objects.exists()


@pytest.mark.parametrize("who", ["prod_head", "ceo", "w1_worker", "hrbp", "other_hr"])
def test_only_company_hr_edits_scales(world, who):
    with pytest.raises(PermissionDenied):
        grade_scale_save(actor=world.user(who), company=world.company, bands=GOOD)
    assert not GradeScale.objects.exists() and not AuditEvent.objects.filter(action__startswith="calibration.").exists()


def test_validation_errors_are_per_field():
    bands = [
        {"letter": "S", "min_score": "90", "max_percent": "120"},
        {"letter": "A", "min_score": "95", "min_percent": "-1"},
        {"letter": "s", "min_score": "abc"},
        {"letter": "", "min_score": ""},
        {"letter": "C", "min_score": "10", "max_percent": "5", "min_percent": "6"},
    ]
    with pytest.raises(DomainError) as caught:
        validate_bands(bands, min_department_size="0")
    assert caught.value.field_errors == {
        "min_department_size": ["Enter a whole number from 1 to 10000."],
        "bands.0.max_percent": ["Enter a percentage from 0 to 100."],
        "bands.1.min_percent": ["Enter a percentage from 0 to 100."],
        "bands.1.min_score": ["Each grade's minimum score must be lower than the one above it (90)."],
        "bands.2.letter": ["Grade s appears twice."],
        "bands.2.min_score": ["Enter a number."],
        "bands.3.letter": ["Enter the grade letter."],
        "bands.3.min_score": ["This field is required."],
        "bands.4.min_percent": ["The minimum share cannot be above the maximum share."],
    }


def test_validation_of_shares_and_size():
    with pytest.raises(DomainError) as too_few:
        validate_bands([{"letter": "A", "min_score": "1"}], min_department_size=5)
    assert too_few.value.field_errors == {"bands": ["A grade scale needs at least two grades."]}
    with pytest.raises(DomainError) as minimums:
        validate_bands(
            [{"letter": "A", "min_score": "50", "min_percent": "60"}, {"letter": "B", "min_score": "0", "min_percent": "50"}],
            min_department_size=5,
        )
    assert minimums.value.field_errors == {"bands": ["The minimum shares add up to 110 %, more than 100 %."]}
    with pytest.raises(DomainError) as maximums:
        validate_bands(
            [{"letter": "A", "min_score": "50", "max_percent": "40"}, {"letter": "B", "min_score": "0", "max_percent": "50"}],
            min_department_size=5,
        )
    assert maximums.value.field_errors == {
        "bands": ["The maximum shares add up to 90 %: nobody could meet the target. Leave one open or raise them."]
    }
    cleaned, size = validate_bands(
        [{"letter": "A", "min_score": "50", "max_percent": "50"}, {"letter": "B", "min_score": "0", "max_percent": "50"}],
        min_department_size="7",
    )
    assert size == 7 and cleaned[1] == {
        "letter": "B",
        "label": "",
        "min_score": Decimal("0"),
        "max_percent": Decimal("50"),
        "min_percent": None,
    }


def test_notes(world):
    cycle, _a, _t = make_population(world, {"w1_worker": 80, "sales_rep": 90})
    note = calibration_note_add(actor=world.user("prod_head"), cycle=cycle, text="  一车间整体偏高，需复核。 ", department=world.workshop1)
    assert note.text == "一车间整体偏高，需复核。" and note.author == world.user("prod_head") and note.department == world.workshop1
    event = AuditEvent.objects.get(action="calibration.note_added")
    assert event.after == {"cycle": cycle.pk, "department": world.workshop1.pk, "text": "一车间整体偏高，需复核。"}
    calibration_note_add(actor=world.user("ceo"), cycle=cycle, text="Overall fine.")
    with pytest.raises(PermissionDenied):  # sales is outside the production subtree
        calibration_note_add(actor=world.user("prod_head"), cycle=cycle, text="x", department=world.sales)
    with pytest.raises(PermissionDenied):
        calibration_note_add(actor=world.user("w1_worker"), cycle=cycle, text="x")
    with pytest.raises(DomainError) as empty:
        calibration_note_add(actor=world.user("ceo"), cycle=cycle, text="   ")
    assert empty.value.field_errors == {"text": ["This field is required."]}
    assert CalibrationNote.objects.count() == 2 and AuditEvent.objects.filter(action="calibration.note_added").count() == 2


def test_potential_rating(world):
    _cycle, assessments, _t = make_population(world, {"w1_worker": 80, "prod_head": 90, "sales_rep": 70})
    rating = potential_set(actor=world.user("prod_head"), assessment=assessments["w1_worker"], potential="high", comment="可培养为班长")
    assert (rating.potential, rating.comment, rating.rated_by) == ("high", "可培养为班长", world.user("prod_head"))
    potential_set(actor=world.user("hr_admin"), assessment=assessments["w1_worker"], potential="medium")
    events = list(AuditEvent.objects.filter(action="calibration.potential_rated").order_by("sequence"))
    assert [e.after["potential"] for e in events] == ["high", "medium"] and events[1].before == {
        "potential": "high",
        "comment": "可培养为班长",
    }
    assert events[0].subject_employee_id == assessments["w1_worker"].employee_id
    for who, key in [("prod_head", "sales_rep"), ("prod_head", "prod_head"), ("w1_worker", "w1_worker"), ("other_hr", "w1_worker")]:
        with pytest.raises(PermissionDenied):
            potential_set(actor=world.user(who), assessment=assessments[key], potential="low")
    with pytest.raises(DomainError) as bad:
        potential_set(actor=world.user("hr_admin"), assessment=assessments["sales_rep"], potential="huge")
    assert bad.value.field_errors == {"potential": ["Choose low, medium or high."]}
    assert PotentialRating.objects.count() == 1 and PotentialRating.objects.get().potential == "medium"
    assert AuditEvent.objects.filter(action="calibration.potential_rated").count() == 2
