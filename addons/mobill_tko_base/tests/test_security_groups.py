from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSecurityGroups(TransactionCase):
    def test_group_hierarchy(self):
        """Each MoBill role implies the ones below it, and the administrator has them all."""
        admin = self.env.ref("mobill_tko_base.group_tko_admin")
        implied = admin.trans_implied_ids
        for xmlid in (
            "mobill_tko_base.group_tko_accountant",
            "mobill_tko_base.group_tko_operator",
            "mobill_tko_base.group_tko_lawyer",
            "mobill_tko_base.group_tko_readonly",
        ):
            self.assertIn(self.env.ref(xmlid), implied, xmlid)
        lawyer = self.env.ref("mobill_tko_base.group_tko_lawyer")
        self.assertNotIn(
            self.env.ref("mobill_tko_base.group_tko_operator"), lawyer.trans_implied_ids
        )
        self.assertTrue(
            self.env.ref("base.user_admin").has_group("mobill_tko_base.group_tko_admin")
        )

    def test_menu_hidden_from_non_members(self):
        """An internal user without a MoBill role does not see the application."""
        user = self.env["res.users"].create(
            {
                "name": "Без роли",
                "login": "no_role",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        menus = (
            self.env["ir.ui.menu"]
            .with_user(user)
            .search([("id", "=", self.env.ref("mobill_tko_base.menu_root").id)])
        )
        self.assertFalse(menus)
