"""Which spreadsheet columns an import understands, under Chinese and English headers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Column:
    key: str
    chinese: str
    english: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: object = ""
    help_text: str = ""

    def header(self, *, chinese: bool) -> str:
        return self.chinese if chinese else self.english


def normalize_header(header: object) -> str:
    """Case-, space- and punctuation-insensitive form of a header; hints in brackets and
    required-markers are dropped, so "入职日期（必填）", " Hire_Date* " and "hire date" agree."""
    text = str(header or "").strip()
    text = re.sub(r"[（(\[【].*?[）)\]】]", "", text)
    return re.sub(r"[\s_\-*.:：/]+", "", text).lower()


EMPLOYEE_COLUMNS: tuple[Column, ...] = (
    Column(
        "employee_number",
        "工号",
        "Employee number",
        ("员工编号", "员工号", "职工号", "employee number", "employee_number", "employee no", "employee id"),
        required=True,
        example="A1001",
    ),
    Column("name", "姓名", "Name", ("名字", "name", "full name"), required=True, example="张三"),
    Column("english_name", "英文名", "English name", ("英文名字", "英文姓名", "english name", "english_name"), example="San Zhang"),
    Column("department", "部门", "Department", ("所属部门", "department", "dept"), required=True, example="生产部/一车间"),
    Column("position", "职位", "Position", ("岗位", "职务", "position", "job title", "title"), example="操作工"),
    Column(
        "manager",
        "直属上级",
        "Manager",
        ("上级工号", "直属上级工号", "上级", "manager", "manager number", "manager employee number", "manager_employee_number"),
        example="A1000",
    ),
    Column("hire_date", "入职日期", "Hire date", ("入职时间", "hire date", "hire_date", "start date"), required=True, example="2024-03-01"),
    Column(
        "probation_end_date",
        "转正日期",
        "Probation end",
        ("试用期结束", "试用期结束日期", "转正时间", "probation end", "probation end date", "probation_end_date"),
        example="2024-06-01",
    ),
    Column(
        "employment_type", "用工类型", "Employment type", ("用工形式", "员工类型", "employment type", "employment_type"), example="全职"
    ),
    Column("status", "状态", "Status", ("员工状态", "在职状态", "status"), example="试用"),
    Column("phone", "手机", "Mobile", ("手机号", "手机号码", "移动电话", "mobile", "mobile phone", "phone"), example="13800138000"),
    Column("email", "邮箱", "Email", ("电子邮箱", "邮件", "电子邮件", "email", "e-mail", "email address"), example="zhangsan@example.cn"),
    Column("id_number", "身份证号", "ID number", ("身份证号码", "身份证", "证件号码", "id number", "id_number", "id no"), example=""),
    Column("gender", "性别", "Gender", ("gender", "sex"), example="男"),
    Column("birth_date", "出生日期", "Birth date", ("生日", "birth date", "birth_date", "date of birth", "birthday"), example="1995-08-15"),
    Column("work_location", "工作地点", "Work location", ("办公地点", "work location", "work_location", "location"), example="苏州"),
)

DEPARTMENT_COLUMNS: tuple[Column, ...] = (
    Column(
        "code", "部门编码", "Code", ("部门代码", "编码", "code", "department code", "department_code"), required=True, example="assembly"
    ),
    Column("name", "部门名称", "Name", ("部门", "名称", "name", "department name", "department_name"), required=True, example="总装车间"),
    Column(
        "parent_code",
        "上级部门编码",
        "Parent code",
        ("上级部门", "上级部门代码", "上级编码", "parent code", "parent_code", "parent department code", "parent"),
        example="production",
    ),
    Column("name_en", "英文名称", "English name", ("英文名", "english name", "english_name", "name_en"), example="Assembly"),
    Column("branch", "分支机构", "Branch", ("分公司", "机构", "branch"), example="plant"),
)

# Columns the importer recognises and ignores on purpose: row numbers people add, and the
# errors column of our own error file, so a corrected error file can be uploaded again.
IGNORED_HEADERS = frozenset(normalize_header(text) for text in ("序号", "行号", "no", "row", "错误", "errors", "错误 Errors", "error"))


@dataclass
class ColumnMapping:
    """Result of matching a file's header row against the known columns."""

    by_key: dict[str, int] = field(default_factory=dict)  # column key → index in the row
    header_of: dict[str, str] = field(default_factory=dict)  # column key → header as written in the file
    unknown: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _alias_table(columns: tuple[Column, ...]) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for column in columns:
        for text in (column.chinese, column.english, column.key, *column.aliases):
            table.setdefault(normalize_header(text), column)
    return table


def map_columns(headers: list[object], columns: tuple[Column, ...], *, required: set[str] | None = None) -> ColumnMapping:
    """Match headers to columns; a missing required column or a column given twice is a
    file-level error, an unknown column only a warning."""
    aliases = _alias_table(columns)
    mapping = ColumnMapping()
    for index, header in enumerate(headers):
        text = str(header).strip() if header is not None else ""
        normalized = normalize_header(text)
        if not normalized or normalized in IGNORED_HEADERS:
            continue
        column = aliases.get(normalized)
        if column is None:
            mapping.unknown.append(text)
            continue
        if column.key in mapping.by_key:
            mapping.errors.append(
                _("The columns “%(first)s” and “%(second)s” both mean %(column)s; keep only one.")
                % {"first": mapping.header_of[column.key], "second": text, "column": column.chinese + " / " + column.english}
            )
            continue
        mapping.by_key[column.key] = index
        mapping.header_of[column.key] = text
    needed = required if required is not None else {column.key for column in columns if column.required}
    for column in columns:
        if column.key in needed and column.key not in mapping.by_key:
            mapping.errors.append(
                _("The required column “%(chinese)s” (%(english)s) is missing.") % {"chinese": column.chinese, "english": column.english}
            )
    return mapping
