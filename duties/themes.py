"""Themes for comparing the duty catalogues of one federation's system unions.

The twelve Zhuzhou catalogues say the same things in different words (“做好‘双联’和困难职工
帮扶维权工作” / “…困难企业困难职工扶贫帮困工作”; “女职工” / “女干警”; “工会资产” / “工会
财产”).  Exact or fuzzy text matching groups them badly: the sentences are long, often
compound (one duty covers 劳模 *and* 劳动竞赛 *and* 文体), and Chinese has no word breaks
to weigh.  So duties are grouped by theme: a theme is a short list of key phrases, and a
duty belongs to every theme one of whose phrases it contains.  The list is plain data,
easy to read and to extend; the comparison shows which unions cover a theme, in which
wordings, and which duties fall under no theme at all (the truly unique ones).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    key: str
    name: str  # data: the theme's Chinese name as officers use it
    phrases: tuple[str, ...]


THEMES = (
    Theme("leadership", "接受领导、依法履职", ("领导下", "实施领导", "实施指导")),
    Theme("centre", "围绕中心、服务大局", ("中心工作",)),
    Theme("organisation", "组织建设、会员发展", ("组织建设", "健全基层工会组织", "组织到工会", "新会员", "职工之家")),
    Theme("democracy", "民主管理、厂务公开", ("民主管理", "民主监督", "职工代表大会", "职工大会", "厂务公开",
                                            "务公开", "换届")),
    Theme("restructuring", "企业改制", ("改制",)),
    Theme("labour-relations", "劳动关系、集体协商", ("劳动关系", "劳动争议", "劳动纠纷", "集体合同",
                                                  "集体劳动合同", "工资集体协商", "劳动保护")),
    Theme("shuanglian", "“双联”、困难职工帮扶", ("双联", "帮扶", "帮困", "扶贫")),
    Theme("women", "女职工工作", ("女职工", "女干警", "女工")),
    Theme("competition", "劳动竞赛", ("劳动竞赛",)),
    Theme("model-workers", "劳模、先进评选管理", ("劳动模范", "劳模", "先进")),
    Theme("education", "职工教育、文体活动", ("学习", "教育培训", "文体", "文化体育", "素质")),
    Theme("funds", "经费、资产管理", ("经费", "资产", "财产")),
    Theme("assigned", "交办的其他工作", ("交办",)),
)


def themes_of(text: str) -> list[Theme]:
    """The themes a duty's text belongs to, in the order of ``THEMES``."""
    return [theme for theme in THEMES if any(phrase in text for phrase in theme.phrases)]
