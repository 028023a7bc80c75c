"""The demo company: 江南精工机械制造有限公司, a machinery maker with about 500 people.

Head office in Shanghai (sales, R&D, procurement, HR/admin, finance, GM office) and a
plant in Suzhou (production with three workshops and their teams, quality, equipment).
The tree below is the whole organisation; `seeding.py` turns it into rows through the
services.
"""

from __future__ import annotations

from dataclasses import dataclass

from hris.accounts.roles import Role, ScopeType
from hris.org.choices import JobFamily

COMPANY_CODE = "jnjg"
COMPANY_NAME = "江南精工机械制造有限公司"
COMPANY_SHORT_NAME = "江南精工"
EMAIL_DOMAIN = "jnjg.example.cn"
DEMO_PASSWORD = "renshi-demo-2026"
RANDOM_SEED = 2026

HQ, PLANT = "shanghai-hq", "suzhou-plant"
BRANCHES = {
    HQ: {"name": "上海总部", "city": "上海", "address": "上海市闵行区莘庄工业区春东路 518 号"},
    PLANT: {"name": "苏州工厂", "city": "苏州", "address": "江苏省苏州市吴中区经济开发区东吴南路 1688 号"},
}

# The functional departments the issue names, at the top of the tree next to 总经办.
FUNCTIONAL_DEPARTMENTS = ("生产部", "质检部", "设备部", "销售部", "研发部", "采购部", "行政人事部", "财务部")
GENERAL_MANAGER_OFFICE = "总经办"


@dataclass(frozen=True)
class PositionSpec:
    code: str
    title: str
    title_en: str
    job_family: str
    level: str
    is_managerial: bool = False


_F = JobFamily
POSITIONS: tuple[PositionSpec, ...] = (
    PositionSpec("general-manager", "总经理", "General Manager", _F.MANAGEMENT, "M4", True),
    PositionSpec("gm-assistant", "总经理助理", "Assistant to the General Manager", _F.MANAGEMENT, "P4"),
    PositionSpec("executive-secretary", "行政秘书", "Executive Secretary", _F.MANAGEMENT, "P2"),
    # Production
    PositionSpec("production-director", "生产总监", "Production Director", _F.PRODUCTION, "M3", True),
    PositionSpec("workshop-manager", "车间主任", "Workshop Manager", _F.PRODUCTION, "M2", True),
    PositionSpec("team-leader", "班组长", "Team Leader", _F.PRODUCTION, "M1", True),
    PositionSpec("operator", "操作工", "Machine Operator", _F.PRODUCTION, "P1"),
    PositionSpec("skilled-worker", "技工", "Skilled Worker", _F.PRODUCTION, "P2"),
    PositionSpec("senior-skilled-worker", "高级技工", "Senior Skilled Worker", _F.PRODUCTION, "P3"),
    PositionSpec("process-engineer", "工艺工程师", "Process Engineer", _F.PRODUCTION, "P3"),
    PositionSpec("planning-supervisor", "计划主管", "Production Planning Supervisor", _F.PRODUCTION, "M1", True),
    PositionSpec("production-planner", "生产计划员", "Production Planner", _F.PRODUCTION, "P2"),
    PositionSpec("material-controller", "物料控制员", "Material Controller", _F.PRODUCTION, "P2"),
    PositionSpec("warehouse-supervisor", "仓储主管", "Warehouse Supervisor", _F.SUPPORT, "M1", True),
    PositionSpec("warehouse-keeper", "仓管员", "Warehouse Keeper", _F.SUPPORT, "P1"),
    PositionSpec("forklift-driver", "叉车司机", "Forklift Driver", _F.SUPPORT, "P1"),
    # Quality
    PositionSpec("quality-manager", "质量经理", "Quality Manager", _F.QUALITY, "M2", True),
    PositionSpec("qc-team-leader", "质检组长", "QC Team Leader", _F.QUALITY, "M1", True),
    PositionSpec("quality-inspector", "质检员", "Quality Inspector", _F.QUALITY, "P1"),
    PositionSpec("inspection-technician", "检验技术员", "Inspection Technician", _F.QUALITY, "P2"),
    PositionSpec("quality-engineer", "质量工程师", "Quality Engineer", _F.QUALITY, "P3"),
    PositionSpec("senior-quality-engineer", "高级质量工程师", "Senior Quality Engineer", _F.QUALITY, "P4"),
    # Equipment
    PositionSpec("equipment-manager", "设备经理", "Equipment Manager", _F.ENGINEERING, "M2", True),
    PositionSpec("maintenance-supervisor", "维修主管", "Maintenance Supervisor", _F.ENGINEERING, "M1", True),
    PositionSpec("utilities-supervisor", "动力主管", "Utilities Supervisor", _F.ENGINEERING, "M1", True),
    PositionSpec("maintenance-technician", "设备维修技术员", "Maintenance Technician", _F.ENGINEERING, "P2"),
    PositionSpec("electrician", "电工", "Electrician", _F.ENGINEERING, "P2"),
    PositionSpec("equipment-engineer", "设备工程师", "Equipment Engineer", _F.ENGINEERING, "P3"),
    # Sales
    PositionSpec("sales-director", "销售总监", "Sales Director", _F.SALES, "M3", True),
    PositionSpec("regional-sales-manager", "区域销售经理", "Regional Sales Manager", _F.SALES, "M2", True),
    PositionSpec("sales-assistant", "销售助理", "Sales Assistant", _F.SALES, "P1"),
    PositionSpec("sales-representative", "销售代表", "Sales Representative", _F.SALES, "P2"),
    PositionSpec("sales-engineer", "销售工程师", "Sales Engineer", _F.SALES, "P3"),
    PositionSpec("key-account-manager", "大客户经理", "Key Account Manager", _F.SALES, "P4"),
    PositionSpec("international-sales", "外贸业务员", "International Sales Specialist", _F.SALES, "P3"),
    PositionSpec("sales-intern", "销售实习生", "Sales Intern", _F.SALES, "P1"),
    # R&D
    PositionSpec("rd-director", "研发总监", "R&D Director", _F.RESEARCH, "M3", True),
    PositionSpec("rd-manager", "研发经理", "R&D Manager", _F.RESEARCH, "M2", True),
    PositionSpec("assistant-engineer", "助理工程师", "Assistant Engineer", _F.RESEARCH, "P2"),
    PositionSpec("mechanical-engineer", "机械工程师", "Mechanical Engineer", _F.RESEARCH, "P3"),
    PositionSpec("senior-mechanical-engineer", "高级机械工程师", "Senior Mechanical Engineer", _F.RESEARCH, "P4"),
    PositionSpec("electrical-engineer", "电气工程师", "Electrical Engineer", _F.RESEARCH, "P3"),
    PositionSpec("senior-electrical-engineer", "高级电气工程师", "Senior Electrical Engineer", _F.RESEARCH, "P4"),
    PositionSpec("software-engineer", "软件工程师", "Software Engineer", _F.RESEARCH, "P3"),
    PositionSpec("senior-software-engineer", "高级软件工程师", "Senior Software Engineer", _F.RESEARCH, "P4"),
    PositionSpec("principal-engineer", "首席工程师", "Principal Engineer", _F.RESEARCH, "P5"),
    PositionSpec("rd-intern", "研发实习生", "R&D Intern", _F.RESEARCH, "P1"),
    # Procurement
    PositionSpec("procurement-manager", "采购经理", "Procurement Manager", _F.PROCUREMENT, "M2", True),
    PositionSpec("buyer", "采购员", "Buyer", _F.PROCUREMENT, "P2"),
    PositionSpec("sourcing-engineer", "采购工程师", "Sourcing Engineer", _F.PROCUREMENT, "P3"),
    # HR and administration
    PositionSpec("hr-admin-manager", "人事行政经理", "HR & Administration Manager", _F.HR_ADMIN, "M2", True),
    PositionSpec("hr-supervisor", "人事主管", "HR Supervisor", _F.HR_ADMIN, "M1", True),
    PositionSpec("administration-supervisor", "行政主管", "Administration Supervisor", _F.HR_ADMIN, "M1", True),
    PositionSpec("hr-specialist", "人事专员", "HR Specialist", _F.HR_ADMIN, "P2"),
    PositionSpec("senior-hr-specialist", "高级人事专员", "Senior HR Specialist", _F.HR_ADMIN, "P3"),
    PositionSpec("hrbp", "人力资源业务伙伴", "HR Business Partner", _F.HR_ADMIN, "P4"),
    PositionSpec("recruiter", "招聘专员", "Recruiter", _F.HR_ADMIN, "P2"),
    PositionSpec("payroll-specialist", "薪酬专员", "Compensation & Payroll Specialist", _F.HR_ADMIN, "P3"),
    PositionSpec("administration-specialist", "行政专员", "Administration Specialist", _F.HR_ADMIN, "P2"),
    PositionSpec("receptionist", "前台", "Receptionist", _F.HR_ADMIN, "P1"),
    PositionSpec("driver", "司机", "Driver", _F.SUPPORT, "P1"),
    # Finance
    PositionSpec("finance-manager", "财务经理", "Finance Manager", _F.FINANCE, "M2", True),
    PositionSpec("general-ledger-accountant", "总账会计", "General Ledger Accountant", _F.FINANCE, "P3"),
    PositionSpec("cost-accountant", "成本会计", "Cost Accountant", _F.FINANCE, "P3"),
    PositionSpec("accountant", "会计", "Accountant", _F.FINANCE, "P2"),
    PositionSpec("cashier", "出纳", "Cashier", _F.FINANCE, "P1"),
)


@dataclass(frozen=True)
class Unit:
    """A department: its head's position, the staff reporting to the head, sub-units."""

    code: str
    name: str
    name_en: str
    branch: str
    head: str
    staff: tuple[tuple[str, int], ...] = ()
    children: tuple[Unit, ...] = ()
    # Share of men among the staff (women get the rest); drives names and ID digits.
    male_share: float = 0.6


def _team(code: str, name: str, name_en: str, *, skilled: int, operators: int, senior: int = 2, male_share: float = 0.75) -> Unit:
    return Unit(
        code, name, name_en, PLANT, "team-leader",
        (("senior-skilled-worker", senior), ("skilled-worker", skilled), ("operator", operators)), male_share=male_share,
    )


ORGANISATION: tuple[Unit, ...] = (
    Unit("gm-office", GENERAL_MANAGER_OFFICE, "General Manager's Office", HQ, "general-manager",
         (("gm-assistant", 1), ("executive-secretary", 1)), male_share=0.5),
    Unit("production", "生产部", "Production", PLANT, "production-director", (("process-engineer", 4),), (
        Unit("production-planning", "生产计划科", "Production Planning", PLANT, "planning-supervisor",
             (("production-planner", 4), ("material-controller", 3)), male_share=0.4),
        Unit("warehouse", "仓储组", "Warehouse", PLANT, "warehouse-supervisor",
             (("warehouse-keeper", 7), ("forklift-driver", 4)), male_share=0.7),
        Unit("workshop-machining", "一车间（机加工）", "Workshop 1 (Machining)", PLANT, "workshop-manager", (), (
            _team("team-turning", "车削班", "Turning Team", skilled=10, operators=28),
            _team("team-milling", "铣削班", "Milling Team", skilled=9, operators=25),
            _team("team-grinding", "磨削班", "Grinding Team", skilled=7, operators=20),
        )),
        Unit("workshop-assembly", "二车间（装配）", "Workshop 2 (Assembly)", PLANT, "workshop-manager", (), (
            _team("team-assembly-1", "装配一班", "Assembly Team 1", skilled=10, operators=29, male_share=0.6),
            _team("team-assembly-2", "装配二班", "Assembly Team 2", skilled=10, operators=31, male_share=0.6),
            _team("team-commissioning", "调试班", "Commissioning Team", skilled=10, operators=5, senior=3, male_share=0.85),
        )),
        Unit("workshop-fabrication", "三车间（焊接涂装）", "Workshop 3 (Welding & Painting)", PLANT, "workshop-manager", (), (
            _team("team-welding", "焊接班", "Welding Team", skilled=12, operators=18, male_share=0.9),
            _team("team-painting", "涂装班", "Painting Team", skilled=5, operators=17, male_share=0.8),
        )),
    ), male_share=0.7),
    Unit("quality", "质检部", "Quality", PLANT, "quality-manager",
         (("senior-quality-engineer", 1), ("quality-engineer", 4)), (
        Unit("quality-incoming", "来料检验组", "Incoming Inspection (IQC)", PLANT, "qc-team-leader",
             (("inspection-technician", 2), ("quality-inspector", 7)), male_share=0.35),
        Unit("quality-process", "过程检验组", "In-process Inspection (IPQC)", PLANT, "qc-team-leader",
             (("inspection-technician", 2), ("quality-inspector", 11)), male_share=0.4),
        Unit("quality-final", "成品检验组", "Final Inspection (OQC)", PLANT, "qc-team-leader",
             (("inspection-technician", 2), ("quality-inspector", 7)), male_share=0.4),
    ), male_share=0.55),
    Unit("equipment", "设备部", "Equipment", PLANT, "equipment-manager", (("equipment-engineer", 4),), (
        Unit("equipment-maintenance", "维修组", "Maintenance", PLANT, "maintenance-supervisor",
             (("maintenance-technician", 13),), male_share=0.95),
        Unit("equipment-utilities", "动力组", "Utilities", PLANT, "utilities-supervisor", (("electrician", 7),), male_share=0.95),
    ), male_share=0.9),
    Unit("sales", "销售部", "Sales", HQ, "sales-director", (("sales-assistant", 3),), (
        Unit("sales-east", "华东销售组", "Sales East China", HQ, "regional-sales-manager",
             (("key-account-manager", 2), ("sales-engineer", 4), ("sales-representative", 9), ("sales-intern", 1))),
        Unit("sales-south", "华南销售组", "Sales South China", HQ, "regional-sales-manager",
             (("key-account-manager", 1), ("sales-engineer", 3), ("sales-representative", 7))),
        Unit("sales-overseas", "海外销售组", "International Sales", HQ, "regional-sales-manager",
             (("international-sales", 7), ("sales-assistant", 1), ("sales-intern", 1)), male_share=0.45),
    ), male_share=0.65),
    Unit("rd", "研发部", "Research & Development", HQ, "rd-director", (("principal-engineer", 1),), (
        Unit("rd-mechanical", "机械设计组", "Mechanical Design", HQ, "rd-manager",
             (("senior-mechanical-engineer", 4), ("mechanical-engineer", 9), ("assistant-engineer", 3), ("rd-intern", 2))),
        Unit("rd-electrical", "电气控制组", "Electrical Controls", HQ, "rd-manager",
             (("senior-electrical-engineer", 3), ("electrical-engineer", 7), ("assistant-engineer", 2), ("rd-intern", 1))),
        Unit("rd-software", "软件组", "Software", HQ, "rd-manager",
             (("senior-software-engineer", 3), ("software-engineer", 7), ("rd-intern", 1))),
    ), male_share=0.8),
    Unit("procurement", "采购部", "Procurement", HQ, "procurement-manager", (("sourcing-engineer", 3), ("buyer", 8)), male_share=0.5),
    Unit("hr-admin", "行政人事部", "HR & Administration", HQ, "hr-admin-manager", (), (
        Unit("hr", "人事组", "Human Resources", HQ, "hr-supervisor",
             (("senior-hr-specialist", 1), ("hr-specialist", 2), ("recruiter", 2), ("payroll-specialist", 1)), male_share=0.25),
        Unit("administration", "行政组", "Administration", HQ, "administration-supervisor",
             (("administration-specialist", 3), ("receptionist", 1), ("driver", 2)), male_share=0.4),
        Unit("plant-hr-admin", "工厂人事行政组", "Plant HR & Administration", PLANT, "administration-supervisor",
             (("hrbp", 1), ("hr-specialist", 2), ("administration-specialist", 2)), male_share=0.3),
    ), male_share=0.3),
    Unit("finance", "财务部", "Finance", HQ, "finance-manager",
         (("general-ledger-accountant", 1), ("cost-accountant", 2), ("accountant", 4), ("cashier", 1)), male_share=0.25),
)


@dataclass(frozen=True)
class Persona:
    """A demo login: who it is in the company and what it may do."""

    username: str
    role: str
    scope_type: str
    unit: str
    position: str
    description: str
    scope_branch: str | None = None
    scope_unit: str | None = None


PERSONAS: tuple[Persona, ...] = (
    Persona("hr", Role.HR_ADMIN, ScopeType.COMPANY, "hr", "senior-hr-specialist", "HR admin: configures the system, sees everyone"),
    Persona("hrbp", Role.HRBP, ScopeType.BRANCH, "plant-hr-admin", "hrbp", "HR business partner for the Suzhou plant",
            scope_branch=PLANT),
    Persona("ceo", Role.EXECUTIVE, ScopeType.COMPANY, "gm-office", "general-manager", "General manager: the whole company"),
    Persona("manager", Role.DEPARTMENT_MANAGER, ScopeType.DEPARTMENT, "production", "production-director",
            "Head of 生产部: the production subtree", scope_unit="production"),
    Persona("employee", Role.EMPLOYEE, ScopeType.SELF, "team-turning", "operator", "A machine operator: own record only"),
    Persona("recruiter", Role.RECRUITER, ScopeType.COMPANY, "hr", "recruiter", "Recruiter: requisitions and candidates"),
    Persona("interviewer", Role.INTERVIEWER, ScopeType.SELF, "rd-mechanical", "senior-mechanical-engineer",
            "An engineer who interviews candidates"),
)
SUPERUSER_USERNAME = "admin"


def walk(units: tuple[Unit, ...] = ORGANISATION, parent: Unit | None = None):  # noqa: ANN201 - a generator of pairs
    """Units in tree order (parents before children) with their parent."""
    for unit in units:
        yield unit, parent
        yield from walk(unit.children, unit)
