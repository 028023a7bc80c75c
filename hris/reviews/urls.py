"""Pages under /reviews/."""

from django.urls import path

from hris.reviews.views import adjustments, appeals, cycles, dashboard, policy, results

app_name = "reviews"
urlpatterns = [
    path("cycles/<int:pk>/", cycles.cycle_panel, name="cycle_panel"),
    path("cycles/<int:pk>/dashboard/", dashboard.cycle_dashboard, name="cycle_dashboard"),
    path("cycles/<int:pk>/transition/<str:action>/", cycles.cycle_transition, name="cycle_transition"),
    path("cycles/<int:pk>/departments/<int:department_pk>/reviewed/", cycles.department_reviewed, name="department_reviewed"),
    path("cycles/<int:pk>/settings/", cycles.cycle_settings, name="cycle_settings"),
    path("cycles/<int:pk>/policy/", policy.cycle_policy_page, name="cycle_policy"),
    path("cycles/<int:pk>/policy/remove/", policy.cycle_policy_remove, name="cycle_policy_remove"),
    path("policy/", policy.company_policy_page, name="policy"),
    path("approvals/", cycles.approvals, name="approvals"),
    path("assessments/<int:pk>/adjustments/", adjustments.assessment_adjustments, name="assessment_adjustments"),
    path("assessments/<int:pk>/adjust/", adjustments.adjust, name="adjust"),
    path("assessments/<int:pk>/correct/", adjustments.correct, name="correct"),
    path("my/", results.my_results, name="my_results"),
    path("my/<int:pk>/", results.my_result, name="my_result"),
    path("my/<int:pk>/acknowledge/", results.acknowledge, name="acknowledge"),
    path("my/<int:pk>/appeal/", results.appeal, name="appeal"),
    path("appeals/", appeals.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/resolve/", appeals.resolve, name="appeal_resolve"),
]
