"""A small, fully known company for tests: every role with a distinct scope.

ACME 制造 (company acme)
├── 总经办 root                      ceo (executive, company)
│   ├── 生产部 production [苏州工厂]   prod_head (department_manager of production subtree)
│   │   ├── 一车间 workshop1           w1_lead, w1_worker (employee, self)
│   │   └── 二车间 workshop2           w2_worker
│   ├── 销售部 sales [上海总部]         sales_head, sales_rep
│   └── 人事行政部 hr [上海总部]        hr_admin_employee (hr_admin, company), hrbp_employee (hrbp, 苏州工厂 branch)
Other company (company other): other_hr (hr_admin of *other* company), other_worker
Plus users recruiter and interviewer (self scope in acme), and a superuser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hris.accounts.models import RoleAssignment, User
from hris.accounts.roles import Role, ScopeType
from hris.org.models import Branch, Company, Department, Position
from hris.people.models import Employee
from hris.tests.factories import BranchFactory, CompanyFactory, EmployeeFactory, PositionFactory, UserFactory, make_department

PASSWORD = "Renshi-Test-2026"


@dataclass
class World:
    company: Company
    other_company: Company
    hq: Branch
    plant: Branch
    root: Department
    production: Department
    workshop1: Department
    workshop2: Department
    sales: Department
    hr: Department
    other_root: Department
    worker_position: Position
    lead_position: Position
    employees: dict[str, Employee] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def user(self, name: str) -> User:
        return User.objects.get(pk=self.users[name].pk)  # fresh object: no cached grants

    def employee(self, name: str) -> Employee:
        return Employee.objects.get(pk=self.employees[name].pk)


def _grant(
    user: User, role: str, scope_type: str, company: Company, *, branch: Branch | None = None, department: Department | None = None
) -> None:
    RoleAssignment.objects.create(user=user, role=role, scope_type=scope_type, company=company, branch=branch, department=department)


def build_world() -> World:
    company = CompanyFactory(name="ACME 制造有限公司", short_name="ACME制造", code="acme")
    other_company = CompanyFactory(name="别家科技有限公司", code="other")
    hq = BranchFactory(company=company, name="上海总部", code="hq", city="上海")
    plant = BranchFactory(company=company, name="苏州工厂", code="plant", city="苏州")
    root = make_department(company=company, name="总经办", code="root", branch=hq)
    production = make_department(company=company, name="生产部", code="production", parent=root, branch=plant)
    workshop1 = make_department(company=company, name="一车间", code="workshop1", parent=production, branch=plant)
    workshop2 = make_department(company=company, name="二车间", code="workshop2", parent=production, branch=plant)
    sales = make_department(company=company, name="销售部", code="sales", parent=root, branch=hq)
    hr = make_department(company=company, name="人事行政部", code="hr", parent=root, branch=hq)
    other_root = make_department(company=other_company, name="别家总部", code="other-root")
    worker_position = PositionFactory(company=company, code="operator", title="操作工", level="P1")
    lead_position = PositionFactory(company=company, code="team-lead", title="班组长", level="M1", is_managerial=True)

    world = World(
        company, other_company, hq, plant, root, production, workshop1, workshop2, sales, hr, other_root, worker_position, lead_position
    )

    def person(key: str, name: str, department: Department, manager: str | None = None, with_user: bool = True, **extra) -> Employee:  # noqa: ANN003
        user = UserFactory(username=key, email=f"{key}@acme.example.cn") if with_user else None
        employee = EmployeeFactory(
            name=name, department=department, manager=world.employees.get(manager) if manager else None, user=user, **extra
        )
        world.employees[key] = employee
        if user is not None:
            world.users[key] = user
        return employee

    person("ceo", "赵总", root)
    person("prod_head", "钱生产", production, "ceo")
    person("w1_lead", "孙班长", workshop1, "prod_head", position=lead_position)
    person("w1_worker", "李工人", workshop1, "w1_lead", position=worker_position)
    person("w2_worker", "周工人", workshop2, "prod_head", position=worker_position)
    person("sales_head", "吴销售", sales, "ceo")
    person("sales_rep", "郑业务", sales, "sales_head")
    person("hr_admin", "王人事", hr, "ceo")
    person("hrbp", "冯伙伴", hr, "hr_admin")
    person("recruiter", "陈招聘", hr, "hr_admin")
    person("interviewer", "褚面试", sales, "sales_head")
    person("other_hr", "卫别家", other_root)
    person("other_worker", "蒋别家", other_root, "other_hr")

    _grant(world.users["ceo"], Role.EXECUTIVE, ScopeType.COMPANY, company)
    _grant(world.users["prod_head"], Role.DEPARTMENT_MANAGER, ScopeType.DEPARTMENT, company, department=production)
    _grant(world.users["sales_head"], Role.DEPARTMENT_MANAGER, ScopeType.DEPARTMENT, company, department=sales)
    _grant(world.users["hr_admin"], Role.HR_ADMIN, ScopeType.COMPANY, company)
    _grant(world.users["hrbp"], Role.HRBP, ScopeType.BRANCH, company, branch=plant)
    _grant(world.users["recruiter"], Role.RECRUITER, ScopeType.COMPANY, company)
    _grant(world.users["interviewer"], Role.INTERVIEWER, ScopeType.SELF, company)
    _grant(world.users["other_hr"], Role.HR_ADMIN, ScopeType.COMPANY, other_company)
    for key in ("w1_lead", "w1_worker", "w2_worker", "sales_rep", "other_worker"):
        company_of = other_company if key.startswith("other") else company
        _grant(world.users[key], Role.EMPLOYEE, ScopeType.SELF, company_of)

    world.users["admin"] = UserFactory(username="admin", email="admin@acme.example.cn", is_superuser=True, is_staff=True)
    return world


# Who sees which employees of the world, by the rules of DESIGN.md §2 (tests pin these).
ACME_ALL = {
    "ceo",
    "prod_head",
    "w1_lead",
    "w1_worker",
    "w2_worker",
    "sales_head",
    "sales_rep",
    "hr_admin",
    "hrbp",
    "recruiter",
    "interviewer",
}
VISIBLE_EMPLOYEES = {
    "admin": ACME_ALL | {"other_hr", "other_worker"},
    "hr_admin": ACME_ALL,
    "ceo": ACME_ALL,
    "hrbp": {"prod_head", "w1_lead", "w1_worker", "w2_worker", "hrbp"},
    "prod_head": {"prod_head", "w1_lead", "w1_worker", "w2_worker"},
    "sales_head": {"sales_head", "sales_rep", "interviewer"},
    "w1_worker": {"w1_worker"},
    "w1_lead": {"w1_lead"},
    "recruiter": {"recruiter"},
    "interviewer": {"interviewer"},
    "other_hr": {"other_hr", "other_worker"},
}
CHANGEABLE_EMPLOYEES = {
    "admin": VISIBLE_EMPLOYEES["admin"],
    "hr_admin": ACME_ALL,
    "hrbp": {"prod_head", "w1_lead", "w1_worker", "w2_worker"},
    "ceo": set(),
    "prod_head": set(),
    "w1_worker": set(),
    "other_hr": {"other_hr", "other_worker"},
}
