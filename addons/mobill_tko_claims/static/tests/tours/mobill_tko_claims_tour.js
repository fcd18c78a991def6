/** @odoo-module **/
import {registry} from "@web/core/registry";

// A lawyer goes through Claims work: the debtors' registry, then a claim moved to its next
// stage from its form, then the mass penalty runs.
registry.category("web_tour.tours").add("mobill_tko_claims_tour", {
    test: true,
    url: "/web",
    steps: () => [
        {
            content: "Open the applications menu",
            trigger: ".o_navbar_apps_menu button",
        },
        {
            content: "Open the MoBill-TKO application",
            trigger: '.o_app[data-menu-xmlid="mobill_tko_base.menu_root"]',
        },
        {
            content: "Open Claims work",
            trigger: '.o_main_navbar [data-menu-xmlid="mobill_tko_claims.menu_claims"]',
        },
        {
            content: "Open the debtors' registry",
            trigger: '.dropdown-item[data-menu-xmlid="mobill_tko_claims.menu_claims_debtors"]',
        },
        {
            content: "The registry is shown",
            trigger: ".o_list_view, .o_view_nocontent",
            isCheck: true,
        },
        {
            content: "Open Claims work again",
            trigger: '.o_main_navbar [data-menu-xmlid="mobill_tko_claims.menu_claims"]',
        },
        {
            content: "Open the claims",
            trigger: '.dropdown-item[data-menu-xmlid="mobill_tko_claims.menu_claims_claims"]',
        },
        {
            content: "Open the tour's claim",
            trigger: ".o_data_row td:contains('Тур Туров')",
        },
        {
            content: "Move it to the next stage",
            trigger: "button[name=action_next_stage]",
        },
        {
            content: "The claim is sent",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=sent]",
            isCheck: true,
        },
        {
            content: "Open Claims work once more",
            trigger: '.o_main_navbar [data-menu-xmlid="mobill_tko_claims.menu_claims"]',
        },
        {
            content: "Open the mass penalty runs",
            trigger: '.dropdown-item[data-menu-xmlid="mobill_tko_claims.menu_claims_penalty_runs"]',
        },
        {
            content: "Create a run",
            trigger: ".o_list_button_add",
        },
        {
            content: "The run's form offers to start it",
            trigger: ".o_form_view button[name=action_start]",
            isCheck: true,
        },
    ],
});
