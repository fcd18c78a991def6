/** @odoo-module **/
import {openTkoMenu} from "@mobill_tko_base/../tests/tours/tko_tour_steps";
import {registry} from "@web/core/registry";

// A lawyer's first-day task: in the debtors' registry (Claims work › Debtors) open the debtor
// who never paid, prepare a claim for the overdue debt, and see it among the claims.
registry.category("web_tour.tours").add("mobill_tko_claims_lawyer_tour", {
    test: true,
    url: "/web",
    steps: () => [
        ...openTkoMenu("mobill_tko_claims.menu_claims", "mobill_tko_claims.menu_claims_debtors"),
        {
            // wait for the registry's own column
            content: "The debtors' registry is shown",
            trigger: ".o_list_view th[data-name=overdue_days]",
            isCheck: true,
        },
        {
            content: "The registry sums the debt under its column",
            trigger:
                ".o_list_view:has(th[data-name=overdue_days]) tfoot td.o_list_number:contains('руб')",
            isCheck: true,
        },
        {
            content: "Open the debtor who never paid",
            trigger:
                ".o_list_view:has(th[data-name=overdue_days]) " +
                ".o_data_row:contains('Должник unpaid') td.o_data_cell:first",
        },
        {
            content: "Prepare a claim from the debtor's card",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_claim_wizard]",
        },
        {
            content: "The wizard lists the debtor with the overdue debt",
            trigger: ".o_field_widget[name=debtor_ids] .o_data_row:contains('Должник unpaid')",
            isCheck: true,
        },
        {
            content: "Prepare",
            trigger: "button[name=action_create]",
        },
        {
            content: "The claim is listed with the overdue debt",
            trigger:
                ".o_list_view .o_data_row:contains('Должник unpaid') " +
                "td[name=debt_amount]:contains('5\u00a0000,00')",
            isCheck: true,
        },
        {
            content: "Open it",
            trigger: ".o_data_row:contains('Должник unpaid') td[name=partner_id]",
        },
        {
            content: "The claim's form shows the months claimed",
            trigger: ".o_form_view .o_field_widget[name=period_text]:contains('03.2024 – 12.2024')",
            isCheck: true,
        },
    ],
});
