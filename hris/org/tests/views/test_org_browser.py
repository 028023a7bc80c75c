"""In a real browser: the org chart loads a level with htmx when a card is opened, and
the department tree collapses and expands."""

import pytest

from hris.tests.world import PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page, live_server, username: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_chart_loads_the_next_level_on_demand(world, live_server, page):  # noqa: ANN001
    _log_in(page, live_server, "hr_admin")
    page.goto(f"{live_server.url}/org/chart/")
    production_head = world.employees["prod_head"].pk
    worker = world.employees["w1_worker"].pk
    # The first level under the chief executive is there; deeper levels are not loaded yet.
    assert page.locator(f'[data-employee="{production_head}"]').count() == 1
    assert page.locator(f'[data-employee="{worker}"]').count() == 0
    with page.expect_response(lambda response: f"/org/chart/{production_head}/reports/" in response.url):
        page.locator(f'[data-employee="{production_head}"] > details > summary').click()
    lead = world.employees["w1_lead"].pk
    page.locator(f'[data-employee="{lead}"]').wait_for()
    with page.expect_response(lambda response: f"/org/chart/{lead}/reports/" in response.url):
        page.locator(f'[data-employee="{lead}"] > details > summary').click()
    page.locator(f'[data-employee="{worker}"]').wait_for()
    assert "李工人" in page.locator(f'[data-employee="{worker}"]').inner_text()


def test_tree_collapses_and_expands(world, live_server, page):  # noqa: ANN001
    _log_in(page, live_server, "ceo")
    page.goto(f"{live_server.url}/org/")
    workshop = page.locator('[data-department="workshop1"]')
    assert workshop.is_visible()
    page.click('[data-tree-toggle="close"]')
    assert not workshop.is_visible()
    page.click('[data-tree-toggle="open"]')
    assert workshop.is_visible()
