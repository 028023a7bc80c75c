"""Rating pages: my pending ratings with inline save, HR's progress page with its actions, peers."""

from datetime import timedelta

import pytest

from hris.core import events
from hris.kpi.models import PeerRater, Rating, RatingRequest, RatingSettings
from hris.kpi.services.rating_requests import peer_rater_add, rating_requests_generate, rating_settings_set

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def requests(world, rated, due):  # noqa: ANN001, ANN201
    hr = world.user("hr_admin")
    rating_settings_set(actor=hr, cycle=rated.cycle, due_date=due)
    peer_rater_add(actor=hr, cycle=rated.cycle, employee=world.employee("w1_worker"), rater=world.user("w2_worker"))
    rating_requests_generate(actor=hr, cycle=rated.cycle)
    return RatingRequest.objects.all()


def test_my_pending_ratings_are_grouped_by_cycle_with_overdue_highlighted(client, world, rated, requests, today):
    overdue = requests.get(rater=world.user("prod_head"), rater_role="skip_level")
    RatingRequest.objects.filter(pk=overdue.pk).update(due_date=today - timedelta(days=2))
    client.force_login(world.user("prod_head"))

    response = client.get("/kpi/ratings/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "You have 4 ratings to give." in html and f'id="pending-cycle-{rated.cycle.pk}"' in html
    assert html.count('data-state="pending"') == 4 and html.count("table-danger") == 1 and html.count(">Overdue<") == 1
    assert "李工人" in html and "孙班长" in html and "Scale 1–5" in html
    assert "You have not given any ratings yet." in html


def test_the_pending_list_needs_a_fixed_number_of_queries(client, world, rated, requests, django_assert_max_num_queries):
    # prod_head has 4 requests; a second cycle's worth would cost no extra query
    client.force_login(world.user("prod_head"))
    with django_assert_max_num_queries(10):
        response = client.get("/kpi/ratings/")
    assert response.status_code == 200


def test_an_inline_save_swaps_the_row_and_moves_it_to_done(client, world, rated, requests):
    request = requests.get(rater=world.user("w1_lead"), rater_role="manager")
    client.force_login(world.user("w1_lead"))

    response = client.post(f"/kpi/ratings/requests/{request.pk}/", {f"r{request.pk}-value": "4.5", f"r{request.pk}-comment": "好"}, **HTMX)

    assert response.status_code == 200
    assert "Saved: 4.50" in response.content.decode() and 'data-state="submitted"' in response.content.decode()
    assert Rating.objects.get().value == 4.5
    page = client.get("/kpi/ratings/").content.decode()
    assert 'id="done-ratings"' in page and "李工人" in page.split('id="done-ratings"')[1]


def test_a_refused_inline_save_shows_the_message_and_keeps_the_form(client, world, rated, requests):
    request = requests.get(rater=world.user("w1_lead"), rater_role="manager")
    client.force_login(world.user("w1_lead"))

    response = client.post(f"/kpi/ratings/requests/{request.pk}/", {f"r{request.pk}-value": "9"}, **HTMX)

    assert response.status_code == 400
    assert "Rate between 1 and 5." in response.content.decode()
    assert Rating.objects.count() == 0


def test_a_plain_post_redirects_with_a_message(client, world, rated, requests):
    request = requests.get(rater=world.user("w1_lead"), rater_role="manager")
    client.force_login(world.user("w1_lead"))

    response = client.post(f"/kpi/ratings/requests/{request.pk}/", {f"r{request.pk}-value": "4"}, follow=True)

    assert response.redirect_chain == [("/kpi/ratings/", 302)]
    assert "Your rating is saved." in response.content.decode()


def test_someone_elses_request_is_not_found_and_nothing_changes(client, world, rated, requests):
    request = requests.get(rater=world.user("w1_lead"), rater_role="manager")
    client.force_login(world.user("hr_admin"))

    response = client.post(f"/kpi/ratings/requests/{request.pk}/", {f"r{request.pk}-value": "4"}, **HTMX)

    assert response.status_code == 404
    assert Rating.objects.count() == 0


def test_hr_progress_page_counts_per_rater_and_department(client, world, rated, requests, today):
    RatingRequest.objects.filter(rater=world.user("w1_lead"), rater_role="manager").update(state="submitted")
    RatingRequest.objects.filter(rater=world.user("ceo")).update(due_date=today - timedelta(days=1))
    client.force_login(world.user("hr_admin"))

    response = client.get(f"/kpi/ratings/cycles/{rated.cycle.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 of 15 ratings given" in html and "3 overdue" in html
    progress = response.context["progress"]
    assert {row.label: (row.done, row.pending) for row in progress.departments} == {"生产部": (0, 4), "一车间": (1, 7), "二车间": (0, 3)}
    assert [row.label for row in progress.overdue_raters] == ["赵总"]
    assert {row.label: (row.done, row.pending) for row in progress.raters}["孙班长"] == (1, 2)
    assert 'id="overdue-requests"' in html


@pytest.mark.parametrize(("user", "status"), [("prod_head", 403), ("w1_worker", 403), ("ceo", 403), ("other_hr", 404), ("hr_admin", 200)])
def test_only_hr_sees_the_progress_page(client, world, rated, requests, user, status):
    client.force_login(world.user(user))
    assert client.get(f"/kpi/ratings/cycles/{rated.cycle.pk}/").status_code == status


def test_send_reminders_now_button(client, world, rated, requests, today):
    RatingRequest.objects.filter(rater=world.user("ceo")).update(due_date=today)
    captured = []
    events.register_receiver(captured.append)
    try:
        client.force_login(world.user("hr_admin"))
        response = client.post(f"/kpi/ratings/cycles/{rated.cycle.pk}/remind/", follow=True)
        again = client.post(f"/kpi/ratings/cycles/{rated.cycle.pk}/remind/", follow=True)
    finally:
        events._receivers.remove(captured.append)
    assert "Reminders sent to 1 raters about 3 pending ratings." in response.content.decode()
    assert "everyone was already reminded today" in again.content.decode()
    assert [event.recipient_user_ids for event in captured] == [(world.user("ceo").pk,)]


def test_settings_form_saves_and_reports_bad_input(client, world, rated, requests, due):
    client.force_login(world.user("hr_admin"))
    url = f"/kpi/ratings/cycles/{rated.cycle.pk}/settings/"

    bad = client.post(url, {"due_date": "not a date", "reminder_days_before": "-1", "department_peers": "0"})
    assert bad.status_code == 400 and set(bad.context["settings_form"].errors) == {"due_date", "reminder_days_before"}

    new_due = due + timedelta(days=2)
    good = client.post(url, {"due_date": new_due.isoformat(), "reminder_days_before": "2", "department_peers": "0"})
    assert good.status_code == 302
    settings = RatingSettings.objects.get()
    assert (settings.due_date, settings.anonymous_peers, settings.reminder_days_before) == (new_due, False, 2)
    assert set(requests.values_list("due_date", flat=True)) == {new_due}


def test_generate_button_reports_what_could_not_be_assigned(client, world, rated, requests):
    client.force_login(world.user("hr_admin"))

    response = client.post(f"/kpi/ratings/cycles/{rated.cycle.pk}/generate/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Every rater already has their requests" in html
    assert "No skip-level manager with a user account." in html


def test_a_manager_adds_and_removes_a_peer_on_the_peers_page(client, world, rated, requests):
    client.force_login(world.user("prod_head"))
    url = f"/kpi/ratings/cycles/{rated.cycle.pk}/peers/"
    lead, worker = world.employee("w1_lead"), world.employee("w1_worker")

    assert client.get(url).status_code == 200
    added = client.post(url, {"employee": lead.pk, "rater": world.user("w2_worker").pk})
    assert added.status_code == 302
    assert set(PeerRater.objects.values_list("employee__name", "rater__username")) == {("李工人", "w2_worker"), ("孙班长", "w2_worker")}

    removed = client.post(url, {"employee": worker.pk, "rater": world.user("w2_worker").pk, "remove": "1"})
    assert removed.status_code == 302
    assert not RatingRequest.objects.filter(rater_role="peer").exists()


def test_employees_without_reports_cannot_open_the_peers_page(client, world, rated):
    client.force_login(world.user("w1_worker"))
    assert client.get(f"/kpi/ratings/cycles/{rated.cycle.pk}/peers/").status_code == 403


def test_a_team_lead_without_a_scope_grant_chooses_peers_of_their_own_report(client, world, rated):
    client.force_login(world.user("w1_lead"))
    url = f"/kpi/ratings/cycles/{rated.cycle.pk}/peers/"

    page = client.get(url)
    assert [label for _value, label in page.context["form"].fields["employee"].choices][1:] == [
        f"李工人 ({world.employee('w1_worker').employee_number})"
    ]
    refused = client.post(url, {"employee": world.employee("w2_worker").pk, "rater": world.user("sales_rep").pk})
    assert refused.status_code == 400 and not PeerRater.objects.exists()
    client.post(url, {"employee": world.employee("w1_worker").pk, "rater": world.user("sales_rep").pk})
    assert list(PeerRater.objects.values_list("employee__name", "rater__username", "chosen_by__username")) == [
        ("李工人", "sales_rep", "w1_lead")
    ]
