"""Integrity of the nested-set fields django-mptt keeps (used by `manage.py check_tree`)."""

from collections import defaultdict

from django.utils.translation import gettext as _

from orgs.models import Org


def tree_faults() -> list[str]:
    """Every inconsistency between parent links and tree_id/lft/rght/level, named per org."""
    nodes = list(Org.objects.order_by().values("id", "code", "parent_id", "tree_id", "lft", "rght", "level"))
    by_id = {node["id"]: node for node in nodes}
    faults: list[str] = []

    def fault(node, message, **params):
        faults.append(_("%(code)s (id %(id)d): ") % node + message % params)

    trees: dict[int, list[dict]] = defaultdict(list)
    for node in nodes:
        trees[node["tree_id"]].append(node)
        if node["lft"] >= node["rght"]:
            fault(node, _("lft %(lft)d is not below rght %(rght)d."), lft=node["lft"], rght=node["rght"])
        parent = by_id.get(node["parent_id"]) if node["parent_id"] else None
        if node["parent_id"] and parent is None:
            fault(node, _("its parent %(parent)d does not exist."), parent=node["parent_id"])
        elif parent is None:
            if node["level"] != 0 or node["lft"] != 1:
                fault(node, _("a root must have level 0 and lft 1 (has level %(level)d, lft %(lft)d)."),
                      level=node["level"], lft=node["lft"])
        else:
            if parent["tree_id"] != node["tree_id"]:
                fault(node, _("tree %(tree)d differs from its parent's tree %(parent_tree)d."),
                      tree=node["tree_id"], parent_tree=parent["tree_id"])
            elif not parent["lft"] < node["lft"] < node["rght"] < parent["rght"]:
                fault(node, _("bounds %(lft)d–%(rght)d lie outside its parent's %(plft)d–%(prght)d."),
                      lft=node["lft"], rght=node["rght"], plft=parent["lft"], prght=parent["rght"])
            if node["level"] != parent["level"] + 1:
                fault(node, _("level %(level)d should be %(expected)d."),
                      level=node["level"], expected=parent["level"] + 1)
    for tree_id, members in sorted(trees.items()):
        faults.extend(_tree_shape_faults(tree_id, members, fault))
    return faults


def _tree_shape_faults(tree_id, members, fault) -> list[str]:
    """One root; bounds exactly 1..2n; each node's nearest enclosing node is its parent."""
    problems = []
    roots = [node for node in members if node["parent_id"] is None]
    if len(roots) != 1:
        problems.append(_("tree %(tree)d has %(count)d roots.") % {"tree": tree_id, "count": len(roots)})
    bounds = sorted([node["lft"] for node in members] + [node["rght"] for node in members])
    if bounds != list(range(1, 2 * len(members) + 1)):
        problems.append(
            _("tree %(tree)d: its lft/rght values are not exactly 1…%(max)d (duplicates or gaps).")
            % {"tree": tree_id, "max": 2 * len(members)}
        )
        return problems
    stack: list[dict] = []
    for node in sorted(members, key=lambda n: n["lft"]):
        while stack and stack[-1]["rght"] < node["lft"]:
            stack.pop()
        enclosing = stack[-1]["id"] if stack else None
        if enclosing != node["parent_id"]:
            fault(node, _("its bounds place it under %(enclosing)s, but its parent is %(parent)s."),
                  enclosing=enclosing, parent=node["parent_id"])
        stack.append(node)
    return problems
