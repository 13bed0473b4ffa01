from django.urls import path

import unionportal.converters  # noqa: F401  (registers orgcode and tablefmt)
from assessment.views import rounds, sheets, templates, unions

app_name = "assessment"
urlpatterns = [
    path("", unions.index, name="index"),
    path("<int:year>/<orgcode:code>/", sheets.sheet_detail, name="sheet"),
    path("<int:year>/<orgcode:code>.pdf", sheets.sheet_pdf, name="sheet_pdf"),
    path("<int:year>/<orgcode:code>.<tablefmt:fmt>", sheets.sheet_export, name="sheet_export"),
    path("<int:year>/<orgcode:code>/fill/", sheets.sheet_fill, name="fill"),
    path("<int:year>/<orgcode:code>/review/", sheets.sheet_review, name="review"),
    path("<int:year>/<orgcode:code>/reopen/", sheets.sheet_reopen, name="reopen"),
    path("<int:year>/<orgcode:code>/upload/", sheets.sheet_upload, name="upload"),
    path("evidence/<int:pk>/", sheets.evidence_download, name="evidence"),
    path("evidence/<int:pk>/delete/", sheets.evidence_delete, name="evidence_delete"),
    path("rounds/<orgcode:code>/open/", rounds.round_open, name="open_round"),
    path("rounds/<orgcode:code>/<int:year>/", rounds.round_board, name="board"),
    path("rounds/<orgcode:code>/<int:year>/ranking/", rounds.round_ranking, name="ranking"),
    path("rounds/<orgcode:code>/<int:year>/results.<tablefmt:fmt>", rounds.round_results, name="results"),
    path("rounds/<orgcode:code>/<int:year>.pdf", rounds.round_pdf, name="round_pdf"),
    path("rounds/<orgcode:code>/<int:year>/finalise/", rounds.round_finalise, name="finalise_round"),
    path("templates/<int:pk>/", templates.template_detail, name="template"),
    path("unions/<orgcode:code>/", unions.union_page, name="union"),
    path("unions/<orgcode:code>/evaluations/", unions.evaluation_go, name="evaluation_go"),
    path("unions/<orgcode:code>/evaluations/<int:year>/", unions.evaluation_edit, name="evaluation"),
    path("unions/<orgcode:code>/evaluations/<int:year>/approve/", unions.evaluation_approve,
         name="evaluation_approve"),
    path("unions/<orgcode:code>/evaluations/<int:year>/publish/", unions.evaluation_publish,
         name="evaluation_publish"),
    path("unions/<orgcode:code>/evaluations/<int:year>/rectifications/", unions.evaluation_rectification,
         name="evaluation_rectification"),
]
