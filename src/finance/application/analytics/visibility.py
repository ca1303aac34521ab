"""Whose records a dashboard shows to an actor."""

from __future__ import annotations

from dataclasses import replace

from finance.application.analytics.statistics import DashboardQuery
from finance.application.authorization import Actor, authorize
from finance.application.errors import Forbidden
from finance.domain.roles import Permission


def allowed_query(actor: Actor, wanted: DashboardQuery) -> DashboardQuery:
    """Analysts see their own records, admins everyone's or one owner's; viewers see no
    dashboard, and asking for another owner's is refused."""
    owner_id = wanted.owner_id
    if not actor.may(Permission.VIEW_ALL_DASHBOARD):
        authorize(actor, Permission.VIEW_OWN_DASHBOARD)
        if owner_id is not None and owner_id != actor.user_id:
            raise Forbidden("You may only see your own dashboard.")
        owner_id = actor.user_id
    return replace(wanted, owner_id=owner_id)
