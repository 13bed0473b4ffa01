"""Building duty catalogues in tests (through the services, like every other write)."""

from duties import content as data
from duties import services
from unionportal.actors import SYSTEM


def plain_catalogue(org, count=3, *, title=None, texts=None, publish=True):
    texts = texts or [f"第{n}项职责：做好工会工作{n}。" for n in range(1, count + 1)]
    content = data.Catalogue(
        org_name=org.name,
        title=title or f"{org.name}工作职责",
        items=tuple(data.DutyItem(number=str(n), name=text) for n, text in enumerate(texts, start=1)),
    )
    return services.create_version(actor=SYSTEM, org=org, content=content, publish=publish)


def card_catalogue(org, *, name="指导基层工会的组织发展和建设工作", publish=True):
    """One main duty with one item carrying every card field, and its department."""
    content = data.Catalogue(
        org_name=org.name,
        title=f"{org.name}权责清单",
        departments=(data.Department("组织部", "监督电话：24316932\n投诉邮箱：test@example.org"),),
        items=(
            data.DutyItem(
                number="1.1", name=name, category="指导基层工会的组织发展", category_number="1",
                legal_basis=("《工会法》", "《中国工会章程》"), department="组织部", boundary="区总工会",
                workflows=data.parse_workflows("成立筹备组-宣传动员—选举——报批"),
                documents=("建会申请", "上级批复"), responsibilities=("经会议研究；", "录入数据库。"),
            ),
            data.DutyItem(number="1.2", name="组织基层工会开展建设职工之家活动", category="指导基层工会的组织发展",
                          category_number="1", department="组织部"),
        ),
    )
    return services.create_version(actor=SYSTEM, org=org, content=content, publish=publish)
