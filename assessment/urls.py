from django.urls import path

import unionportal.converters  # noqa: F401  (registers orgcode and tablefmt)
from assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/<orgcode:code>/", views.sheet_detail, name="sheet"),
    path("<int:year>/<orgcode:code>.pdf", views.sheet_pdf, name="sheet_pdf"),
    path("<int:year>/<orgcode:code>.<tablefmt:fmt>", views.sheet_export, name="sheet_export"),
    path("<int:year>/<orgcode:code>/fill/", views.sheet_fill, name="fill"),
    path("<int:year>/<orgcode:code>/review/", views.sheet_review, name="review"),
    path("<int:year>/<orgcode:code>/reopen/", views.sheet_reopen, name="reopen"),
    path("<int:year>/<orgcode:code>/upload/", views.sheet_upload, name="upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("rounds/<orgcode:code>/open/", views.round_open, name="open_round"),
    path("rounds/<orgcode:code>/<int:year>/", views.round_board, name="board"),
    path("rounds/<orgcode:code>/<int:year>/ranking/", views.round_ranking, name="ranking"),
    path("rounds/<orgcode:code>/<int:year>/results.<tablefmt:fmt>", views.round_results, name="results"),
    path("rounds/<orgcode:code>/<int:year>.pdf", views.round_pdf, name="round_pdf"),
    path("rounds/<orgcode:code>/<int:year>/finalise/", views.round_finalise, name="finalise_round"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("unions/<orgcode:code>/", views.union_page, name="union"),
    path("unions/<orgcode:code>/evaluations/", views.evaluation_go, name="evaluation_go"),
    path("unions/<orgcode:code>/evaluations/<int:year>/", views.evaluation_edit, name="evaluation"),
    path("unions/<orgcode:code>/evaluations/<int:year>/approve/", views.evaluation_approve,
         name="evaluation_approve"),
    path("unions/<orgcode:code>/evaluations/<int:year>/publish/", views.evaluation_publish,
         name="evaluation_publish"),
    path("unions/<orgcode:code>/evaluations/<int:year>/rectifications/", views.evaluation_rectification,
         name="evaluation_rectification"),
]
