"""Reading cells and files: dates, headers, choices, encodings (no database)."""

from datetime import date, datetime

import pytest

from hris.people.importing.columns import EMPLOYEE_COLUMNS, map_columns, normalize_header
from hris.people.importing.graph import nodes_on_cycles, parents_first
from hris.people.importing.reading import FileProblem, read_sheet
from hris.people.importing.values import CellError, cell_text, parse_choice, parse_date
from hris.people.tests.importing.helpers import csv_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1)),
        ("2024.3.1", date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1)),
        (" 2024 年 3 月 1 日 ", date(2024, 3, 1)),
        ("2024-03-01 00:00:00", date(2024, 3, 1)),
        ("20240301", date(2024, 3, 1)),
        (20240301, date(2024, 3, 1)),
        (45352, date(2024, 3, 1)),
        (45352.0, date(2024, 3, 1)),
        (datetime(2024, 3, 1, 0, 0), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_accepted_in_the_usual_forms(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-01", "“2024-13-01” is not a valid date."),
        ("1899-12-31", "“1899-12-31” is outside the years 1900–2100."),
        ("3/1/2024", "“3/1/2024” is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日."),
    ],
)
def test_bad_dates_say_why(value, message):
    with pytest.raises(CellError) as raised:
        parse_date(value)
    assert str(raised.value) == message


def test_headers_match_case_space_and_marker_insensitively():
    assert normalize_header(" Hire_Date* ") == normalize_header("hire date") == "hiredate"
    assert normalize_header("入职日期（必填）") == "入职日期"
    mapping = map_columns(["工号", "NAME", "部门", "入职时间", "上级工号", "序号", "备注"], EMPLOYEE_COLUMNS)
    assert mapping.by_key == {"employee_number": 0, "name": 1, "department": 2, "hire_date": 3, "manager": 4}
    assert mapping.unknown == ["备注"]
    assert mapping.errors == []


def test_a_column_given_twice_is_a_file_error():
    mapping = map_columns(["工号", "员工编号", "姓名", "部门", "入职日期"], EMPLOYEE_COLUMNS)
    assert mapping.errors == ["The columns “工号” and “员工编号” both mean 工号 / Employee number; keep only one."]


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [
        ("employment_type", "全职", "full_time"),
        ("employment_type", "劳务派遣", "dispatched"),
        ("employment_type", "退休返聘", "retiree_rehire"),
        ("employment_type", "Re-hired retiree", "retiree_rehire"),
        ("employment_type", "PART_TIME", "part_time"),
        ("status", "试用", "probation"),
        ("status", "休假", "on_leave"),
        ("status", "On leave", "on_leave"),
        ("gender", "女", "female"),
    ],
)
def test_choices_accept_chinese_labels_english_labels_and_codes(kind, value, code):
    assert parse_choice(value, kind) == code


def test_numbers_excel_stored_as_floats_come_back_as_digits():
    assert cell_text(1001.0) == "1001"
    assert cell_text(13800138000.0) == "13800138000"
    assert cell_text(" 张三\u3000") == "张三"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_csv_encodings_are_detected(encoding):
    sheet = read_sheet(csv_bytes([["工号", "姓名"], ["A1", "张三"]], encoding=encoding), "x.csv")
    assert sheet.headers == ["工号", "姓名"]
    assert sheet.rows == [(2, ["A1", "张三"])]


def test_semicolon_csv_and_row_limit():
    sheet = read_sheet("工号;姓名\nA1;张三\n".encode(), "x.csv")
    assert sheet.rows == [(2, ["A1", "张三"])]
    with pytest.raises(FileProblem) as raised:
        read_sheet(csv_bytes([["工号"], ["1"], ["2"], ["3"]]), "x.csv", max_rows=2)
    assert str(raised.value) == "The file has more than 2 data rows; split it into smaller files."


def test_cycle_detection_and_parent_order():
    assert nodes_on_cycles({"a": "b", "b": "c", "c": "a", "d": "a", "e": None, "f": "f"}) == {"a", "b", "c", "f"}
    assert parents_first(["c", "b", "a", "x"], {"c": "b", "b": "a", "a": "root", "x": None}) == ["a", "x", "b", "c"]
