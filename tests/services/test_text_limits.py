"""A case's free text that reaches its PDF has a limit: a longer text is refused by the form
with a message, and what was typed stays in the form."""

from services.models import Case
from tests.kit import client_for, user_with_role
from tests.services.test_views import kit  # noqa: F401 (the fixture)
from unionportal import text_limits


def test_a_description_longer_than_its_limit_is_refused_with_a_message(kit):  # noqa: F811
    tree, types, _a1, _b1 = kit
    client = client_for(user_with_role(tree, "staff"))
    url = f"/services/org/{tree.a1.code}/apply/member-card/"
    token = client.get(url).context["form"].initial["token"]
    too_long = "困" * (text_limits.RECORD_TEXT + 1)
    before = Case.objects.count()
    response = client.post(url, {"token": token, "title": "超长说明", "member_name": "王五",
                                 "description": too_long})
    assert response.status_code == 200 and Case.objects.count() == before
    page = response.content.decode()
    assert f"不超过 {text_limits.RECORD_TEXT} 字符" in page and too_long in page
