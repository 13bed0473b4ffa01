"""Fixtures shared by the tree's tests: the permission kit's two-branch tree and its admin."""

import pytest

from tests.kit import scope_tree, user_with_role


@pytest.fixture
def tree(db):
    return scope_tree()


@pytest.fixture
def admin_user(tree):
    return user_with_role(tree, "admin")  # an admin of 甲系统工会 (kit-a)
