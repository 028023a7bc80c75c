"""An HR admin logs in, searches the directory and opens a profile — in English and in Chinese."""

import re

import pytest
from playwright.sync_api import expect

from hris.tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABELS = {
    # language code → (directory heading, phone label on the profile, the search button)
    "en": ("Employee directory", "Mobile phone", "Search"),
    "zh-hans": ("员工花名册", "手机号码", "搜索"),
}


def _log_in(page, live_server, username: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _choose_language(page, live_server, language: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator(f"button[name=language][value={language}]").click()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_hr_admin_searches_directory_and_opens_profile(page, live_server, language):  # noqa: ANN001
    world = build_world()
    heading, phone_label, search_label = LABELS[language]

    # Given the HR admin, logged in with the chosen interface language
    _choose_language(page, live_server, language)
    _log_in(page, live_server, "hr_admin")

    # Then they land on the directory, in that language, listing all 11 ACME employees
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#directory-total")).to_have_attribute("data-total", "11")
    expect(page.get_by_role("button", name=search_label, exact=True)).to_be_visible()

    # When they type a name into the search box and press Enter (htmx swaps the results)
    page.fill("input[name=q]", "李工人")
    page.press("input[name=q]", "Enter")

    # Then only that employee remains and the URL carries the search
    expect(page.locator("#directory-total")).to_have_attribute("data-total", "1")
    worker = world.employees["w1_worker"]
    expect(page.locator("#directory-table tbody tr")).to_have_count(1)
    expect(page.locator(f"tr[data-employee-number='{worker.employee_number}']")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=%E6%9D%8E%E5%B7%A5%E4%BA%BA|q=李工人"))

    # When they open the profile
    page.get_by_role("link", name="李工人").click()

    # Then the profile shows the employee, the full phone for HR and a masked ID number label
    expect(page.locator("#employee-number")).to_have_text(worker.employee_number)
    expect(page.locator("h1")).to_contain_text("李工人")
    expect(page.locator("#contact-phone")).to_have_text(worker.phone)
    expect(page.get_by_text(phone_label, exact=True)).to_be_visible()


def test_manager_sees_only_their_department_in_the_browser(page, live_server):  # noqa: ANN001
    build_world()
    _choose_language(page, live_server, "en")
    _log_in(page, live_server, "prod_head")
    page.goto(f"{live_server.url}/people/")
    # 生产部 subtree: prod_head, w1_lead, w1_worker, w2_worker
    expect(page.locator("#directory-total")).to_have_attribute("data-total", "4")
    expect(page.locator("#directory-table")).not_to_contain_text("吴销售")
    # and the worker's phone is masked for a manager
    expect(page.locator("#directory-table")).to_contain_text("****")
