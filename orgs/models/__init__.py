"""The orgs app's models: the union tree and grants (tree.py).  The union's governance records
are the governance app's (orgs/governance/models/)."""

from orgs.models.tree import (  # noqa: F401
    CODE_MAX_LENGTH,
    CODE_PATTERN,
    KIND_FILE_LABELS,
    KIND_FILE_NAMES,
    NAME_MAX_LENGTH,
    ROLE_FILE_NAMES,
    Grant,
    Org,
    OrgAlias,
    OrgKind,
    OrgManager,
    OrgQuerySet,
    Role,
    code_validator,
)
