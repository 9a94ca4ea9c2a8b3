"""The role rule on its own: every combination of the facts it reads."""

from itertools import product

from balint_online.admin.roles import RoleRefusal, role_refusal


def test_every_combination():
    for takes_admin_away, confirmed, other_admins, stops_leading, led in product(
            (False, True), (False, True), (0, 1, 3), (False, True), ((), ("Thursday group", "Monday group"))):
        refusal = role_refusal(takes_admin_away=takes_admin_away, confirmed=confirmed, other_admins=other_admins,
                               stops_leading=stops_leading, running_series_led=led)
        if takes_admin_away and not confirmed:
            expected = RoleRefusal("unconfirmed")  # asked first: the confirmation comes before any other answer
        elif takes_admin_away and other_admins == 0:
            expected = RoleRefusal("last_admin")
        elif stops_leading and led:
            expected = RoleRefusal("leads", ("Thursday group", "Monday group"))
        else:
            expected = None
        assert refusal == expected, (takes_admin_away, confirmed, other_admins, stops_leading, led)


def test_giving_a_role_is_never_refused():
    assert role_refusal(takes_admin_away=False, confirmed=False, other_admins=0, stops_leading=False,
                        running_series_led=["Thursday group"]) is None
