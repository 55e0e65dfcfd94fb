"""Staff navigation: an area appears here once it is built (no dead links)."""

from __future__ import annotations

from dataclasses import dataclass

from claimline.users.models import Role, StaffIdentity


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    role: Role


STAFF_NAV: list[NavItem] = [
    NavItem("工作台", "/staff", Role.agent),
    NavItem("来电人", "/staff/callers", Role.agent),
    NavItem("知识库", "/staff/knowledge", Role.supervisor),
    NavItem("知识缺口", "/staff/knowledge-gaps", Role.supervisor),
    NavItem("员工账号", "/staff/users", Role.admin),
    NavItem("审计日志", "/staff/audit", Role.admin),
]

PUBLIC_NAV: list[NavItem] = [
    NavItem("常见问题", "/", Role.agent),
    NavItem("赔偿估算", "/tools/estimate", Role.agent),
    NavItem("责任认定", "/tools/liability", Role.agent),
    NavItem("期限提醒", "/tools/deadlines", Role.agent),
]


def nav_for(user: StaffIdentity | None) -> list[NavItem]:
    if user is None:
        return []
    return [item for item in STAFF_NAV if user.has_role(item.role)]
