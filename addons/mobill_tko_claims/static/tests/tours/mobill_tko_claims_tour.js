/** @odoo-module **/
import {openTkoMenu} from "@mobill_tko_base/../tests/tours/tko_tour_steps";
import {registry} from "@web/core/registry";

// A lawyer goes through Claims work: the debtors' registry, then a claim moved to its next
// stage from its form, then the mass penalty runs.
registry.category("web_tour.tours").add("mobill_tko_claims_tour", {
    test: true,
    url: "/web",
    steps: () => [
        ...openTkoMenu("mobill_tko_claims.menu_claims", "mobill_tko_claims.menu_claims_debtors"),
        {
            content: "The registry is shown",
            trigger: ".o_list_view, .o_view_nocontent",
            isCheck: true,
        },
        ...openTkoMenu("mobill_tko_claims.menu_claims", "mobill_tko_claims.menu_claims_claims", {
            fromApps: false,
        }),
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
        ...openTkoMenu(
            "mobill_tko_claims.menu_claims",
            "mobill_tko_claims.menu_claims_penalty_runs",
            {fromApps: false}
        ),
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
