"""Clean files are committed with exactly the values they hold, through the services
(employment events and audit events included)."""

from datetime import date

from hris.audit.models import AuditEvent
from hris.core.protected import decrypt_text, keyed_digest
from hris.org.models import Department
from hris.people.choices import EmployeeStatus, EmploymentEventType, EmploymentType, Gender
from hris.people.models import Employee, EmploymentEvent
from hris.people.models_import import ImportStatus
from hris.people.tests.importing.helpers import commit, csv_bytes, latest_job, snapshot, upload, with_check_digit, xlsx_bytes

ALL_CHINESE_HEADERS = [
    "工号",
    "姓名",
    "英文名",
    "部门",
    "职位",
    "直属上级",
    "入职日期",
    "转正日期",
    "用工类型",
    "状态",
    "手机",
    "邮箱",
    "身份证号",
    "性别",
    "出生日期",
    "工作地点",
    "备注",
]


def test_xlsx_with_chinese_headers_is_committed_with_exact_values(world, hr_client):
    # Given a workbook with every Chinese header, a manager defined in the same file and one
    # stored, and an unknown column
    prod_head = world.employee("prod_head")
    id_number = with_check_digit("32050519950815002")
    content = xlsx_bytes(
        [
            ALL_CHINESE_HEADERS,
            [
                "A1001",
                "张三",
                "San Zhang",
                "生产部/一车间",
                "操作工",
                "A1000",
                date(2024, 3, 1),
                "2024年6月1日",
                "全职",
                "试用",
                "138 0013 8000",
                "zhangsan@example.cn",
                id_number,
                "男",
                "1995-08-15",
                "苏州",
                "新人",
            ],
            [
                "A1000",
                "李四",
                "",
                "workshop1",
                "team-lead",
                prod_head.employee_number,
                "2023/9/1",
                None,
                "劳务派遣",
                "在职",
                "+8613900139000",
                "",
                "",
                "女",
                None,
                "",
                "",
            ],
        ]
    )

    # When it is uploaded and committed
    response = upload(hr_client, content)
    job = latest_job()
    assert response["Location"] == f"/people/import/{job.pk}/"
    assert job.status == ImportStatus.VALIDATED
    assert job.summary["counts"] == {"create": 2, "update": 0, "unchanged": 0, "error": 0, "total": 2, "warnings": 0}
    assert job.summary["warnings"] == ["These columns are not recognised and are ignored: “备注”."]
    assert job.can_commit
    before = snapshot()
    commit(hr_client, job)

    # Then both employees exist with the values of the file
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    assert job.summary["committed"] == {"create": 2, "update": 0}
    zhang = Employee.objects.get(company=world.company, employee_number="A1001")
    li = Employee.objects.get(company=world.company, employee_number="A1000")
    assert (zhang.name, zhang.english_name, zhang.department_id, zhang.position_id, zhang.manager_id) == (
        "张三",
        "San Zhang",
        world.workshop1.pk,
        world.worker_position.pk,
        li.pk,
    )
    assert (zhang.hire_date, zhang.probation_end_date, zhang.birth_date) == (date(2024, 3, 1), date(2024, 6, 1), date(1995, 8, 15))
    assert (zhang.employment_type, zhang.status, zhang.gender) == (EmploymentType.FULL_TIME, EmployeeStatus.PROBATION, Gender.MALE)
    assert (zhang.phone, zhang.email, zhang.work_location) == ("13800138000", "zhangsan@example.cn", "苏州")
    assert decrypt_text(zhang.id_number_encrypted) == id_number
    assert zhang.id_number_digest == keyed_digest(id_number)
    assert (li.department_id, li.position_id, li.manager_id, li.hire_date) == (
        world.workshop1.pk,
        world.lead_position.pk,
        prod_head.pk,
        date(2023, 9, 1),
    )
    assert (li.employment_type, li.status, li.gender, li.phone, li.email, li.id_number_encrypted) == (
        EmploymentType.DISPATCHED,
        EmployeeStatus.ACTIVE,
        Gender.FEMALE,
        "+8613900139000",
        "",
        "",
    )
    # through the services: a hire event each, an audit event each, and one for the import
    after = snapshot()
    assert after["employees"] == before["employees"] + 2
    assert set(EmploymentEvent.objects.filter(employee__in=[zhang, li]).values_list("event_type", flat=True)) == {EmploymentEventType.HIRE}
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))[-3:]
    assert actions == ["employee.create", "employee.create", "employees.import"]
    import_event = AuditEvent.objects.get(action="employees.import")
    assert import_event.after == {"file": "employees.xlsx", "mode": "create", "rows": 2, "create": 2, "update": 0}
    assert import_event.actor_id == world.users["hr_admin"].pk
    # the upload (personal data) is not kept once committed
    assert not job.file


def test_csv_with_english_headers_and_bom_is_committed(world, hr_client):
    content = csv_bytes(
        [
            ["Employee Number", "NAME", " hire_date ", "Department", "Position", "Employment type", "Status", "Mobile", "E-mail", "Gender"],
            ["B2001", "Wang Wu", "2024-03-01", "sales", "operator", "Part-time", "probation", "13700137000", "wangwu@example.cn", "F"],
            ["B2002", "钱七", "2024.3.2", "总经办/销售部", "班组长", "intern", "On leave", "", "", "male"],
        ],
        encoding="utf-8-sig",
    )
    upload(hr_client, content, "employees.csv")
    job = latest_job()
    assert job.summary["counts"]["create"] == 2, job.rows
    commit(hr_client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    wang = Employee.objects.get(employee_number="B2001")
    qian = Employee.objects.get(employee_number="B2002")
    assert (wang.name, wang.hire_date, wang.department_id, wang.position_id) == (
        "Wang Wu",
        date(2024, 3, 1),
        world.sales.pk,
        world.worker_position.pk,
    )
    assert (wang.employment_type, wang.status, wang.phone, wang.email, wang.gender) == (
        EmploymentType.PART_TIME,
        EmployeeStatus.PROBATION,
        "13700137000",
        "wangwu@example.cn",
        Gender.FEMALE,
    )
    assert (qian.hire_date, qian.department_id, qian.position_id, qian.employment_type, qian.status, qian.gender) == (
        date(2024, 3, 2),
        world.sales.pk,
        world.lead_position.pk,
        EmploymentType.INTERN,
        EmployeeStatus.ON_LEAVE,
        Gender.MALE,
    )


def test_gbk_csv_without_errors_is_committed(world, hr_client):
    content = csv_bytes(
        [["工号", "姓名", "部门", "入职日期", "工作地点"], ["C3001", "孙八", "二车间", "2024年3月1日", "苏州工业园"]], encoding="gbk"
    )
    upload(hr_client, content, "员工名单.csv")
    job = latest_job()
    assert job.original_filename == "员工名单.csv"
    commit(hr_client, job)
    employee = Employee.objects.get(employee_number="C3001")
    assert (employee.name, employee.department_id, employee.hire_date, employee.work_location) == (
        "孙八",
        world.workshop2.pk,
        date(2024, 3, 1),
        "苏州工业园",
    )


def test_departments_file_with_parents_defined_later_in_the_file(world, hr_client):
    # Given children listed before their parents
    content = xlsx_bytes(
        [
            ["部门编码", "部门名称", "上级部门编码", "英文名称", "分支机构"],
            ["assembly-line-1", "一号线", "assembly", "Line 1", ""],
            ["assembly", "装配车间", "production", "Assembly", "苏州工厂"],
            ["east-sales", "华东销售", "sales", "East Sales", "hq"],
        ]
    )
    response = upload(hr_client, content, "departments.xlsx", kind="departments")
    assert response.status_code == 302
    job = latest_job()
    assert job.summary["counts"]["create"] == 3, job.rows
    commit(hr_client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED, job.failure_message

    production = Department.objects.get(pk=world.production.pk)
    assembly = Department.objects.get(company=world.company, code="assembly")
    line = Department.objects.get(company=world.company, code="assembly-line-1")
    east = Department.objects.get(company=world.company, code="east-sales")
    step = Department.steplen
    assert assembly.path[:-step] == production.path
    assert line.path[:-step] == assembly.path
    assert east.path[:-step] == Department.objects.get(pk=world.sales.pk).path
    assert (assembly.name, assembly.name_en, assembly.branch_id) == ("装配车间", "Assembly", world.plant.pk)
    assert (line.name, line.name_en, line.branch_id) == ("一号线", "Line 1", world.plant.pk)  # inherited from its parent
    assert (east.name_en, east.branch_id) == ("East Sales", world.hq.pk)
    assert AuditEvent.objects.filter(action="department.create").count() == 3
    assert AuditEvent.objects.get(action="departments.import").after["create"] == 3


def test_departments_file_errors_cycles_unknown_parents_and_duplicates(world, hr_client):
    content = xlsx_bytes(
        [
            ["部门编码", "部门名称", "上级部门编码"],
            ["a", "甲", "b"],
            ["b", "乙", "a"],
            ["c", "丙", "nowhere"],
            ["d", "丁", "生产部"],
            ["production", "生产部", "root"],
            ["e f", "戊", "root"],
            ["g", "己", "g"],
        ]
    )
    before = snapshot()
    upload(hr_client, content, "departments.xlsx", kind="departments")
    job = latest_job()
    assert {row_number: messages for row_number, messages in job.errors["rows"]} == {
        2: ["上级部门编码: The parent departments form a cycle: a → b → a."],
        3: ["上级部门编码: The parent departments form a cycle: b → a → b."],
        4: ["上级部门编码: Unknown parent department “nowhere”: no department has this code, in this file or in the company."],
        5: [
            "上级部门编码: Unknown parent department “生产部”: no department has this code, in this file or in the company. "
            "Did you mean the code “production” (总经办/生产部)?"
        ],
        6: ["部门编码: A department with the code “production” already exists (总经办/生产部)."],
        7: ["部门编码: “e f”: use only letters, digits, hyphens and underscores."],
        8: ["上级部门编码: A department cannot be its own parent."],
    }
    assert not job.can_commit
    commit(hr_client, job)
    assert snapshot() == before


def test_update_mode_changes_only_what_differs(world, hr_client):
    # Given three rows: a new employee, a changed one (phone, position, department, manager)
    # and one identical to what is stored
    worker, w2_worker, lead = world.employee("w1_worker"), world.employee("w2_worker"), world.employee("w1_lead")
    content = xlsx_bytes(
        [
            ["工号", "姓名", "部门", "入职日期", "职位", "直属上级", "手机", "邮箱"],
            ["D4001", "新同事", "二车间", date(2024, 5, 6), "", "", "", ""],
            [
                worker.employee_number,
                "",
                "二车间",
                None,
                "班组长",
                world.employee("prod_head").employee_number,
                "13911112222",
                "138****0000",
            ],
            [w2_worker.employee_number, w2_worker.name, "workshop2", w2_worker.hire_date, "operator", "", w2_worker.phone, w2_worker.email],
        ]
    )
    upload(hr_client, content, "update.xlsx", mode="upsert")
    job = latest_job()
    assert job.summary["counts"] == {"create": 1, "update": 1, "unchanged": 1, "error": 0, "total": 3, "warnings": 1}
    assert job.rows[1][4] == ["邮箱: the masked value (with *) was left unchanged."]
    page = hr_client.get(f"/people/import/{job.pk}/").content.decode()
    assert "Import: 1 new, 1 updated" in page

    commit(hr_client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED, job.failure_message
    worker.refresh_from_db()
    assert (worker.name, worker.department_id, worker.position_id, worker.manager_id, worker.phone) == (
        "李工人",
        world.workshop2.pk,
        world.lead_position.pk,
        world.employees["prod_head"].pk,
        "13911112222",
    )
    assert worker.email == world.employees["w1_worker"].email  # masked value ignored
    event = EmploymentEvent.objects.get(employee=worker)
    assert (event.event_type, event.from_department_id, event.to_department_id) == (
        EmploymentEventType.PROMOTION,
        world.workshop1.pk,
        world.workshop2.pk,
    )
    update_event = AuditEvent.objects.get(action="employee.update")
    assert update_event.reason == f"Import #{job.pk} (update.xlsx)"
    assert update_event.subject_employee_id == worker.pk
    assert not AuditEvent.objects.filter(action="employee.update", subject_employee_id=w2_worker.pk).exists()
    assert Employee.objects.get(employee_number="D4001").department_id == world.workshop2.pk
    assert lead.pk  # the old manager is untouched


def test_update_only_mode_needs_only_the_employee_number_column(world, hr_client):
    worker = world.employee("w1_worker")
    upload(hr_client, xlsx_bytes([["employee number", "work location"], [worker.employee_number, "二号厂房"]]), mode="update")
    job = latest_job()
    assert job.summary["counts"]["update"] == 1
    commit(hr_client, job)
    worker.refresh_from_db()
    assert worker.work_location == "二号厂房"
