from django.urls import path, register_converter

import unionportal.converters  # noqa: F401  (registers orgcode and tablefmt)
from services import views


class YearConverter:
    regex = r"(?:19|20)[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class BudgetFormatConverter:
    regex = r"pdf|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(YearConverter, "year")
register_converter(BudgetFormatConverter, "budgetfmt")

app_name = "services"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>.pdf", views.case_pdf, name="case_pdf"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("types/<int:pk>/", views.type_detail, name="type"),
    path("org/<orgcode:code>/", views.org_services, name="org"),
    path("org/<orgcode:code>/apply/", views.apply_choose, name="apply_choose"),
    path("org/<orgcode:code>/apply/<slug:type_code>/", views.apply, name="apply"),
    path("org/<orgcode:code>/model-workers/", views.model_workers, name="model_workers"),
    path("org/<orgcode:code>/model-workers.<tablefmt:fmt>", views.model_workers_export,
         name="model_workers_export"),
    path("org/<orgcode:code>/budget/", views.budget_latest, name="budget_latest"),
    path("org/<orgcode:code>/budget/<year:year>/", views.budget, name="budget"),
    path("org/<orgcode:code>/budget/<year:year>.<budgetfmt:fmt>", views.budget_export,
         name="budget_export"),
    path("org/<orgcode:code>/funds/", views.funds, name="funds"),
    path("org/<orgcode:code>/funds/<year:year>/", views.funds, name="funds_year"),
    path("org/<orgcode:code>/mutual-aid/", views.mutual_aid, name="mutual_aid"),
    path("mutual-aid/<int:pk>/close/", views.close_round, name="close_round"),
]
