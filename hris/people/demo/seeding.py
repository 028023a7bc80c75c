"""Build the demo company through the services, so it carries the same audit trail as
real use. Deterministic: a fixed random seed gives the same people every time (dates are
relative to today, so probation periods still lie in the future).

Two phases: `plan_people()` decides everybody on paper (pure Python, no database), then
`seed_demo_company()` writes the plan through the services in one transaction.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from hris.accounts.models import User
from hris.accounts.roles import Role, ScopeType
from hris.accounts.services import role_grant, user_create
from hris.audit.services import audit_batch, audit_record
from hris.org.models import Branch, Company, Department, Position
from hris.org.services import branch_create, company_create, department_create, department_update, position_create
from hris.people.choices import ContractType, EmploymentType, Gender
from hris.people.demo import names
from hris.people.demo.structure import (
    BRANCHES,
    COMPANY_CODE,
    COMPANY_NAME,
    COMPANY_SHORT_NAME,
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    HQ,
    PERSONAS,
    PLANT,
    POSITIONS,
    RANDOM_SEED,
    SUPERUSER_USERNAME,
    Persona,
    Unit,
    walk,
)
from hris.people.models import Employee
from hris.people.services import (
    contract_add,
    employee_create,
    employee_start_leave,
    employee_terminate,
    employee_update,
)

YEAR = 365.25
POSITION_LEVELS = {spec.code: spec.level for spec in POSITIONS}
FIRST_EMPLOYEE_NUMBER = 10001
RECENT_HIRES = 24
DISPATCHED_OPERATORS = 30
LEAVERS = 12
ON_LEAVE = 5
TRANSFERS = 8
# Promotions along one ladder (P→P), each recorded as a promotion event in the history.
PROMOTED_FROM = {
    "skilled-worker": "operator",
    "senior-skilled-worker": "skilled-worker",
    "senior-mechanical-engineer": "mechanical-engineer",
    "senior-electrical-engineer": "electrical-engineer",
    "senior-software-engineer": "software-engineer",
    "senior-quality-engineer": "quality-engineer",
    "sales-engineer": "sales-representative",
    "key-account-manager": "sales-engineer",
    "inspection-technician": "quality-inspector",
}
PROMOTIONS = 16
AGE_RANGE_BY_LEVEL = {
    "P1": (19, 45), "P2": (22, 48), "P3": (24, 50), "P4": (29, 50), "P5": (36, 52),
    "M1": (29, 50), "M2": (33, 52), "M3": (39, 53), "M4": (51, 55),
}
PROFESSIONAL_MIN_HIRE_AGE = 22
DISPATCH_AGENCY_NOTE = "劳务派遣；派遣单位：苏州示例人力资源服务有限公司"
MATERNITY_LEAVE = ("产假",)
OTHER_LEAVE = ("病假（术后休养）", "病假", "事假（家中有事）")
TERMINATION_REASONS = ("个人原因辞职", "个人原因辞职（回老家发展）", "个人原因辞职（继续深造）", "协商一致解除劳动合同")
PROBATION_FAILED = "试用期考核不合格"
PROBATION_FAILURES = 2


@dataclass
class PersonPlan:
    index: int
    unit: Unit
    position: str
    is_head: bool
    manager: PersonPlan | None
    gender: str = Gender.MALE
    name: str = ""
    english_name: str = ""
    birth_date: date | None = None
    hire_date: date | None = None
    probation_months: int = 0
    employment_type: str = EmploymentType.FULL_TIME
    phone: str = ""
    id_number: str = ""
    employee_number: str = ""
    persona: Persona | None = None
    # History: where the person started, when the change happened.
    initial_unit: Unit | None = None
    initial_position: str | None = None
    initial_manager: PersonPlan | None = None
    change_date: date | None = None
    change_reason: str = ""
    leave: tuple[date, str] | None = None
    termination: tuple[date, str] | None = None
    employee: Employee | None = field(default=None, repr=False)

    @property
    def email(self) -> str:
        return f"{self.employee_number.lower()}@{EMAIL_DOMAIN}"

    @property
    def username(self) -> str:
        return self.persona.username if self.persona else self.employee_number.lower()

    @property
    def needs_user(self) -> bool:
        return self.is_head or self.persona is not None

    @property
    def picked(self) -> bool:
        """Already given a special part (persona, history, status) by the planner."""
        return bool(self.persona or self.initial_unit or self.initial_position or self.leave or self.termination)


class SeedConflict(Exception):
    """The database holds data the demo would collide with (e.g. a user named `hr`)."""


@dataclass
class SeedResult:
    company: Company
    seconds: float
    counts: dict[str, int]


# ---------------------------------------------------------------------------
# Planning (no database)


class _Generator:
    """Names, phones and ID numbers, unique within the company."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = [surname for surname, _weight in names.SURNAMES]
        self.surname_weights = [weight for _surname, weight in names.SURNAMES]
        self.used_names: set[str] = set()
        self.used_phones: set[str] = set()
        self.used_ids: set[str] = set()

    def name(self, gender: str) -> str:
        single, first, second = (
            (names.MALE_SINGLE, names.MALE_FIRST, names.MALE_SECOND) if gender == Gender.MALE
            else (names.FEMALE_SINGLE, names.FEMALE_FIRST, names.FEMALE_SECOND)
        )
        for _attempt in range(50):
            surname = self.rng.choices(self.surnames, self.surname_weights)[0]
            if self.rng.random() < 0.3:
                given = self.rng.choice(single)
            else:
                given = self.rng.choice(first) + self.rng.choice(second)
                if given[0] == given[1]:
                    continue
            candidate = surname + given
            if candidate not in self.used_names:
                self.used_names.add(candidate)
                return candidate
        return candidate  # a namesake (重名) now and then is realistic

    def phone(self) -> str:
        while True:
            candidate = self.rng.choice(names.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if candidate not in self.used_phones:
                self.used_phones.add(candidate)
                return candidate

    def id_number(self, *, birth_date: date, gender: str, regions: tuple[str, ...]) -> str:
        """18-character resident ID: region, birth date, sequence (odd = male), GB 11643 check."""
        while True:
            sequence = self.rng.randrange(0, 500) * 2 + (1 if gender == Gender.MALE else 0)
            body = f"{self.rng.choice(regions)}{birth_date:%Y%m%d}{sequence:03d}"
            candidate = body + id_check_character(body)
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate


def id_check_character(first_seventeen: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(digit) * weight for digit, weight in zip(first_seventeen, weights, strict=True)) % 11]


def credit_code_check_character(first_seventeen: str) -> str:
    """Check character of a unified social credit code (GB 32100)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(alphabet.index(character) * weight for character, weight in zip(first_seventeen, weights, strict=True))
    return alphabet[(31 - total % 31) % 31]


def _workday(day: date, today: date) -> date:
    """People start on a weekday; never in the future."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    while day > today or day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _years_ago(today: date, years: float) -> date:
    return today - timedelta(days=round(years * YEAR))


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(day)


def _regions_for(plan: PersonPlan, rng: random.Random) -> tuple[str, ...]:
    level = POSITION_LEVELS[plan.position]
    shop_floor = plan.unit.branch == PLANT and level in {"P1", "P2", "P3"} and not plan.position.endswith("engineer")
    if plan.unit.branch == HQ:
        weights = (0.45, 0.35, 0.20)
        local = names.REGIONS_LOCAL_HQ
    elif shop_floor:
        weights = (0.25, 0.20, 0.55)
        local = names.REGIONS_LOCAL_PLANT
    else:
        weights = (0.40, 0.35, 0.25)
        local = names.REGIONS_LOCAL_PLANT
    return rng.choices((local, names.REGIONS_NEARBY, names.REGIONS_INLAND), weights)[0]


def plan_people(*, seed: int = RANDOM_SEED, today: date) -> list[PersonPlan]:
    """Everybody in the demo company, decided in memory from the seed."""
    rng = random.Random(seed)
    generator = _Generator(rng)
    plans: list[PersonPlan] = []
    head_of: dict[str, PersonPlan] = {}
    general_manager: PersonPlan | None = None

    for unit, parent in walk():
        if parent is not None:
            head_manager = head_of[parent.code]
        else:
            head_manager = general_manager  # top-level heads report to the GM; the GM to nobody
        head = PersonPlan(len(plans), unit, unit.head, True, head_manager)
        plans.append(head)
        head_of[unit.code] = head
        if general_manager is None:
            general_manager = head
        for position, count in unit.staff:
            for _number in range(count):
                plans.append(PersonPlan(len(plans), unit, position, False, head))

    # Demo personas: the first person of the right unit and position.
    for persona in PERSONAS:
        plan = next(plan for plan in plans if plan.unit.code == persona.unit and plan.position == persona.position and not plan.persona)
        plan.persona = persona

    def candidates(condition: Callable[[PersonPlan], bool]) -> list[PersonPlan]:
        return [plan for plan in plans if not plan.is_head and not plan.picked and condition(plan)]

    # Leavers: extra people in ordinary jobs who have left (their posts were refilled).
    staff_slots = [plan for plan in plans if not plan.is_head and POSITION_LEVELS[plan.position] in {"P1", "P2", "P3"}
                   and not plan.position.endswith("intern")]
    for number, slot in enumerate(rng.sample(staff_slots, LEAVERS)):
        leaver = PersonPlan(len(plans), slot.unit, slot.position, False, slot.manager)
        hired_years_ago = rng.uniform(1.0, 6.0)
        leaver.hire_date = _workday(_years_ago(today, hired_years_ago), today)
        if number < PROBATION_FAILURES:  # let go before the end of a three-month probation
            left_on, reason = leaver.hire_date + timedelta(days=rng.randint(45, 80)), PROBATION_FAILED
        else:
            left_on = today - timedelta(days=rng.randint(20, min(700, int(hired_years_ago * YEAR) - 60)))
            reason = rng.choice(TERMINATION_REASONS)
        leaver.termination = (_workday(left_on, today), reason)
        plans.append(leaver)

    # Who started recently (still on probation), who is dispatched or an intern.
    recent = set(id(plan) for plan in rng.sample(candidates(lambda plan: not plan.termination
                                                            and not plan.position.endswith("intern")), RECENT_HIRES))
    operators = candidates(lambda plan: plan.position == "operator" and id(plan) not in recent)
    for plan in rng.sample(operators, DISPATCHED_OPERATORS):
        plan.employment_type = EmploymentType.DISPATCHED
    for plan in plans:
        if plan.position.endswith("intern"):
            plan.employment_type = EmploymentType.INTERN

    # Personal data and hire dates.
    for plan in plans:
        level = POSITION_LEVELS[plan.position]
        male_share = 0.85 if plan.is_head else plan.unit.male_share
        plan.gender = Gender.MALE if rng.random() < male_share else Gender.FEMALE
        plan.name = generator.name(plan.gender)
        if plan.unit.code in {"sales-overseas", "sales-east"} and rng.random() < 0.6:
            plan.english_name = rng.choice(names.ENGLISH_NAMES_MALE if plan.gender == Gender.MALE else names.ENGLISH_NAMES_FEMALE)
        if plan.hire_date is None:
            if plan is general_manager:
                tenure = 16.2
            elif plan.employment_type == EmploymentType.INTERN:
                tenure = rng.uniform(0.08, 0.4)
            elif id(plan) in recent:
                tenure = rng.uniform(10, 75) / YEAR
            elif plan.is_head:
                tenure = rng.uniform(6.0, 15.5) if level in {"M3", "M2"} else rng.uniform(3.5, 12.0)
            elif plan.persona is not None:
                tenure = rng.uniform(3.0, 8.0)
            else:
                bucket = rng.random()
                tenure = rng.uniform(0.5, 2.0) if bucket < 0.25 else rng.uniform(2.0, 6.0) if bucket < 0.65 else rng.uniform(6.0, 15.0)
                if plan.employment_type == EmploymentType.DISPATCHED:
                    tenure = min(tenure, rng.uniform(0.4, 3.0))
            plan.hire_date = _workday(_years_ago(today, tenure), today)
        if plan.employment_type == EmploymentType.FULL_TIME:
            plan.probation_months = 3 if level in {"P1", "P2"} and plan.unit.branch == PLANT else 6
        low, high = (20, 23) if plan.employment_type == EmploymentType.INTERN else AGE_RANGE_BY_LEVEL[level]
        birth = _years_ago(today, rng.uniform(low, high + 0.99))
        min_hire_age = PROFESSIONAL_MIN_HIRE_AGE if level not in {"P1", "P2"} and plan.employment_type != EmploymentType.INTERN else 18
        if (plan.hire_date - birth).days < min_hire_age * YEAR:
            birth = plan.hire_date - timedelta(days=round(rng.uniform(min_hire_age, min_hire_age + 4) * YEAR))
        plan.birth_date = birth
        plan.phone = generator.phone()
        plan.id_number = generator.id_number(birth_date=birth, gender=plan.gender, regions=_regions_for(plan, rng))

    _plan_history(plans, head_of, rng, today, candidates)

    # Employee numbers follow the order of hiring, as HR hands them out.
    for number, plan in enumerate(sorted(plans, key=lambda plan: (plan.hire_date, not plan.is_head, plan.index)), FIRST_EMPLOYEE_NUMBER):
        plan.employee_number = f"E{number}"
    return plans


def _plan_history(plans: list[PersonPlan], head_of: dict[str, PersonPlan], rng: random.Random, today: date, candidates) -> None:  # noqa: ANN001
    # Promotions along a ladder: people with three years or more, promoted a year or more
    # after they started and some months ago at the latest.
    promotable = candidates(lambda plan: plan.position in PROMOTED_FROM and (today - plan.hire_date).days > 3 * YEAR)
    for plan in rng.sample(promotable, min(PROMOTIONS, len(promotable))):
        plan.initial_position = PROMOTED_FROM[plan.position]
        earliest, latest = plan.hire_date + timedelta(days=365), today - timedelta(days=120)
        plan.change_date = _workday(earliest + timedelta(days=rng.randint(0, (latest - earliest).days)), today)
        plan.change_reason = f"{plan.change_date.year} 年度晋升评审通过"

    # One workshop manager came up from leading a team in the same workshop (M1 → M2).
    assembly_head = head_of["workshop-assembly"]
    assembly_head.initial_unit = head_of["team-assembly-1"].unit
    assembly_head.initial_position = "team-leader"
    assembly_head.initial_manager = head_of["production"]
    assembly_head.change_date = _workday(assembly_head.hire_date + timedelta(days=round(2.5 * YEAR)), today)
    assembly_head.change_reason = "原装配一班班组长，竞聘车间主任"

    # Transfers between teams and inspection groups of the plant.
    groups_with_siblings = {"workshop-machining", "workshop-assembly", "workshop-fabrication", "quality"}
    sibling_units = {
        unit.code: [sibling for sibling in parent.children if sibling.code != unit.code]
        for unit, parent in walk() if parent is not None and parent.code in groups_with_siblings
    }
    movable = candidates(lambda plan: plan.unit.code in sibling_units and plan.employment_type == EmploymentType.FULL_TIME
                         and not plan.termination and (today - plan.hire_date).days > 2 * YEAR)
    for plan in rng.sample(movable, TRANSFERS):
        plan.initial_unit = rng.choice(sibling_units[plan.unit.code])
        plan.initial_manager = head_of[plan.initial_unit.code]
        earliest, latest = plan.hire_date + timedelta(days=180), today - timedelta(days=30)
        plan.change_date = _workday(earliest + timedelta(days=rng.randint(0, (latest - earliest).days)), today)
        plan.change_reason = f"因生产任务调整，由{plan.initial_unit.name}调至{plan.unit.name}"

    # A few people are on leave right now.
    settled = candidates(lambda plan: plan.employment_type == EmploymentType.FULL_TIME and (today - plan.hire_date).days > 400)
    for plan in rng.sample(settled, ON_LEAVE):
        age = (today - plan.birth_date).days / YEAR
        reasons = MATERNITY_LEAVE if plan.gender == Gender.FEMALE and 24 <= age <= 36 else OTHER_LEAVE
        plan.leave = (_workday(today - timedelta(days=rng.randint(5, 90)), today), rng.choice(reasons))


# ---------------------------------------------------------------------------
# Writing (through the services)


def demo_company() -> Company | None:
    return Company.objects.filter(code=COMPANY_CODE).first()


def _contracts_for(plan: PersonPlan, today: date) -> list[dict]:
    """The contracts an employee signed from hiring until today (or leaving).

    Full-time: two fixed terms (three years, managers five), then open-ended, as the
    Labour Contract Law has it after two consecutive fixed terms.
    """
    until = plan.termination[0] if plan.termination else today
    start = plan.hire_date
    if plan.employment_type == EmploymentType.INTERN:
        return [{"contract_type": ContractType.INTERNSHIP, "start_date": start, "end_date": _add_months(start, 6) - timedelta(days=1),
                 "notes": "实习协议"}]
    if plan.employment_type == EmploymentType.DISPATCHED:
        terms, term_years, kind, notes = 99, 1, ContractType.LABOR_SERVICE, DISPATCH_AGENCY_NOTE
    else:
        terms, term_years, kind, notes = 2, 5 if POSITION_LEVELS[plan.position].startswith("M") else 3, ContractType.FIXED_TERM, ""
    contracts = []
    for _term in range(terms):
        end = _add_months(start, 12 * term_years) - timedelta(days=1)
        contracts.append({"contract_type": kind, "start_date": start, "end_date": end, "notes": notes})
        if end >= until:
            return contracts
        start = end + timedelta(days=1)
    contracts.append({"contract_type": ContractType.OPEN_ENDED, "start_date": start, "end_date": None, "notes": "无固定期限劳动合同"})
    return contracts


def seed_demo_company(*, seed: int = RANDOM_SEED, today: date | None = None, log: Callable[[str], None] | None = None) -> SeedResult | None:
    """Create the demo company; None if it already exists (nothing is changed then)."""
    log = log or (lambda message: None)
    today = today or timezone.localdate()
    started = time.perf_counter()
    rng = random.Random(seed + 1)  # separate stream for contracts, so plans stay stable
    with transaction.atomic(), audit_batch():
        if Company.objects.filter(code=COMPANY_CODE).exists():
            return None
        plans = plan_people(seed=seed, today=today)
        company = _create_organisation(log)
        branches = {branch.code: branch for branch in Branch.objects.filter(company=company)}
        positions = {position.code: position for position in Position.objects.filter(company=company)}
        departments = _create_departments(company, branches)
        log(f"  organisation: {len(branches)} branches, {len(departments)} departments, {len(positions)} positions")

        users, admin_created = _create_users(plans)
        _create_employees(company, plans, departments, positions, users, branches)
        log(f"  employees: {len(plans)}")
        contract_count = _create_contracts(plans, today, rng)
        log(f"  contracts: {contract_count}")
        _record_history(plans, departments, positions)
        for plan in plans:
            if plan.is_head:
                department = departments[plan.unit.code]
                department_update(actor=None, department=department, name=department.name, code=department.code,
                                  name_en=department.name_en, branch=department.branch, head=plan.employee)
        grants = _grant_roles(company, plans, departments, branches)
        log(f"  users: {len(users) + admin_created}, role grants: {grants}")

    counts = {
        "branches": len(branches), "departments": len(departments), "positions": len(positions), "employees": len(plans),
        "current_employees": sum(1 for plan in plans if not plan.termination), "contracts": contract_count,
        "users": len(users) + admin_created, "grants": grants,
    }
    return SeedResult(company=company, seconds=time.perf_counter() - started, counts=counts)


def _create_organisation(log: Callable[[str], None]) -> Company:
    body = "91320506" + "MA1" + "JNJG26"
    company = company_create(actor=None, name=COMPANY_NAME, code=COMPANY_CODE, short_name=COMPANY_SHORT_NAME,
                             unified_social_credit_code=body + credit_code_check_character(body))
    for code, branch in BRANCHES.items():
        branch_create(actor=None, company=company, code=code, **branch)
    for spec in POSITIONS:
        position_create(actor=None, company=company, code=spec.code, title=spec.title, title_en=spec.title_en,
                        job_family=spec.job_family, level=spec.level, is_managerial=spec.is_managerial)
    log(f"  company: {company.name} ({company.code})")
    return company


def _create_departments(company: Company, branches: dict[str, Branch]) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for unit, parent in walk():
        departments[unit.code] = department_create(
            actor=None, company=company, name=unit.name, name_en=unit.name_en, code=unit.code,
            parent=departments[parent.code] if parent else None, branch=branches[unit.branch],
        )
    return departments


def _create_users(plans: list[PersonPlan]) -> tuple[dict[int, User], bool]:
    """Accounts for the demo personas and for every department head.

    All share the published demo password; it is hashed once (PBKDF2 takes ~0.3 s per
    hash) and the hash copied to every account.
    """
    taken = set(User.objects.filter(username__in=[plan.username for plan in plans if plan.needs_user]).values_list("username", flat=True))
    if taken:
        raise SeedConflict(f"These usernames already exist; remove them or use a fresh database: {', '.join(sorted(taken))}")
    users: dict[int, User] = {}
    for plan in plans:
        if not plan.needs_user:
            continue
        surname_length = 2 if plan.name[:2] in {"欧阳", "上官"} else 1
        users[plan.index] = user_create(
            actor=None, username=plan.username, password=None, email=plan.email,
            last_name=plan.name[:surname_length], first_name=plan.name[surname_length:],
        )
    hashed = make_password(DEMO_PASSWORD)
    User.objects.filter(pk__in=[user.pk for user in users.values()]).update(password=hashed)

    admin_created = not User.objects.filter(username=SUPERUSER_USERNAME).exists()
    if admin_created:  # an existing `admin` keeps its own password
        admin = user_create(actor=None, username=SUPERUSER_USERNAME, password=None, email=f"admin@{EMAIL_DOMAIN}")
        User.objects.filter(pk=admin.pk).update(password=hashed, is_staff=True, is_superuser=True)
        audit_record(actor=None, action="user.update", target=admin, before={"is_staff": False, "is_superuser": False},
                     after={"is_staff": True, "is_superuser": True}, reason="Demo superuser")
    return users, admin_created


def _create_employees(
    company: Company, plans: list[PersonPlan], departments: dict[str, Department], positions: dict[str, Position],
    users: dict[int, User], branches: dict[str, Branch],
) -> None:
    # Heads first (tree order), so every manager exists before their reports.
    for plan in sorted(plans, key=lambda plan: (not plan.is_head, plan.index)):
        unit = plan.initial_unit or plan.unit
        manager = plan.initial_manager if plan.initial_unit else plan.manager
        plan.employee = employee_create(
            actor=None, company=company, employee_number=plan.employee_number, name=plan.name, english_name=plan.english_name,
            department=departments[unit.code], position=positions[plan.initial_position or plan.position],
            manager=manager.employee if manager else None, hire_date=plan.hire_date, employment_type=plan.employment_type,
            probation_end_date=_add_months(plan.hire_date, plan.probation_months) - timedelta(days=1) if plan.probation_months else None,
            phone=plan.phone, email=plan.email, id_number=plan.id_number, gender=plan.gender, birth_date=plan.birth_date,
            work_location=branches[unit.branch].name, user=users.get(plan.index),
        )


def _create_contracts(plans: list[PersonPlan], today: date, rng: random.Random) -> int:
    count = 0
    for plan in sorted(plans, key=lambda plan: plan.employee_number):
        for contract in _contracts_for(plan, today):
            count += 1
            start = contract["start_date"]
            # The first contract is signed on the first day; renewals a few days before they start.
            signed_on = start if start == plan.hire_date else start - timedelta(days=rng.randint(1, 10))
            contract_add(
                actor=None, employee=plan.employee, contract_number=f"JNJG-HT-{start:%Y}-{count:05d}", signed_on=signed_on, **contract
            )
    return count


def _record_history(plans: list[PersonPlan], departments: dict[str, Department], positions: dict[str, Position]) -> None:
    """Promotions and transfers (in the past), current leave, and leavers, via the services."""
    for plan in sorted((plan for plan in plans if plan.change_date), key=lambda plan: plan.change_date):
        changes: dict = {}
        if plan.initial_position:
            changes["position"] = positions[plan.position]
        if plan.initial_unit:
            changes["department"] = departments[plan.unit.code]
            changes["manager"] = plan.manager.employee if plan.manager else None
        plan.employee = employee_update(
            actor=None, employee=plan.employee, effective_date=plan.change_date, reason=plan.change_reason, **changes
        )
    for plan in plans:
        if plan.leave:
            plan.employee = employee_start_leave(actor=None, employee=plan.employee, effective_date=plan.leave[0], reason=plan.leave[1])
    for plan in sorted((plan for plan in plans if plan.termination), key=lambda plan: plan.termination[0]):
        left_on, reason = plan.termination
        plan.employee = employee_terminate(actor=None, employee=plan.employee, effective_date=left_on, reason=reason)


def _grant_roles(company: Company, plans: list[PersonPlan], departments: dict[str, Department], branches: dict[str, Branch]) -> int:
    """Each persona gets its documented role; every other department head manages its subtree."""
    grants = 0
    for plan in plans:
        if plan.persona is not None:
            persona = plan.persona
            role_grant(
                actor=None, user=plan.employee.user, role=persona.role, scope_type=persona.scope_type, company=company,
                branch=branches[persona.scope_branch] if persona.scope_branch else None,
                department=departments[persona.scope_unit] if persona.scope_unit else None, reason="Demo login",
            )
            grants += 1
        elif plan.is_head:
            role_grant(actor=None, user=plan.employee.user, role=Role.DEPARTMENT_MANAGER, scope_type=ScopeType.DEPARTMENT,
                       company=company, department=departments[plan.unit.code], reason="Department head")
            grants += 1
    return grants
