/** @odoo-module **/
import {openTkoMenu} from "@mobill_tko_base/../tests/tours/tko_tour_steps";
import {registry} from "@web/core/registry";

// The first day of a manager (read-only) of a regional operator: the month's state (Billing ›
// Periods, the open period with its charge totals), the big debtors (Claims work › Debtors,
// filtered), the claims in progress, and a consumer found by address with the quick search of
// the top bar. Everything opens; nothing offers to create or change a record.
registry.category("web_tour.tours").add("mobill_tko_claims_manager_tour", {
    test: true,
    url: "/web",
    steps: () => [
        ...openTkoMenu(
            "mobill_tko_billing.menu_billing",
            "mobill_tko_billing.menu_billing_periods"
        ),
        {
            content: "The periods are listed, with no «New» button",
            trigger:
                ".o_list_view:has(th[data-name=amount_total]):has(.o_data_row)" +
                ":not(:has(.o_list_button_add))",
            isCheck: true,
        },
        {
            content: "Open the current (open) period",
            trigger: ".o_list_view .o_data_row td[name=name]:contains('12.2024')",
        },
        {
            content: "The period is open",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=open]",
            isCheck: true,
        },
        {
            content: "Its charges: individuals",
            trigger:
                ".o_form_view .o_field_widget[name=amount_individual]:contains('1\u00a0200,00')",
            isCheck: true,
        },
        {
            content: "Its charges: legal entities",
            trigger: ".o_form_view .o_field_widget[name=amount_legal]:contains('10\u00a0000,00')",
            isCheck: true,
        },
        {
            content: "Its charges: the total, in roubles",
            trigger:
                ".o_form_view .o_field_widget[name=amount_total]" +
                ":contains('11\u00a0200,00'):contains('руб')",
            isCheck: true,
        },
        {
            content: "The period is read-only for the manager: no calculation, no closing",
            trigger:
                ".o_form_view .o_form_readonly:has(.o_statusbar_status)" +
                ":not(:has(button[name=action_new_run])):not(:has(button[name=action_close]))",
            isCheck: true,
        },
        ...openTkoMenu("mobill_tko_claims.menu_claims", "mobill_tko_claims.menu_claims_debtors", {
            fromApps: false,
        }),
        {
            content: "The debtors are listed, the small one among them",
            trigger:
                ".o_list_view:has(th[data-name=overdue_days]) " +
                ".o_data_row:contains('Должник unpaid')",
            isCheck: true,
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
        },
        {
            content: "Only the big debtors",
            trigger: ".o_filter_menu .o_menu_item:contains('Долг свыше 10 000')",
        },
        {
            content: "The big debtor is listed, the small ones are not",
            trigger:
                ".o_list_view:has(.o_searchview_facet)" +
                ":has(.o_data_row:contains('ООО Ромашка'))" +
                ":not(:has(.o_data_row:contains('Должник')))",
            isCheck: true,
        },
        {
            content: "The debt of the big debtors is summed under its column",
            trigger: ".o_list_view tfoot td.o_list_number:contains('85\u00a0000,00')",
            isCheck: true,
        },
        ...openTkoMenu("mobill_tko_claims.menu_claims", "mobill_tko_claims.menu_claims_claims", {
            fromApps: false,
        }),
        {
            content: "The claim in progress is listed, with no «New» button",
            trigger:
                ".o_list_view:not(:has(.o_list_button_add)) " +
                ".o_data_row:contains('Должник unpaid') " +
                "td[name=debt_amount]:contains('5\u00a0000,00')",
            isCheck: true,
        },
        {
            content: "Type an address into the quick search of the top bar",
            trigger: ".o_main_navbar .o_tko_people_search_input",
            run: "text Садовая, д. 2",
        },
        {
            content: "Open the consumer found at that address",
            trigger:
                ".o_tko_people_search_results " +
                ".o_tko_people_search_item[data-model='res.partner']:contains('Должник unpaid')",
            run: "click",
        },
        {
            content: "The consumer's card is open, read-only",
            trigger:
                ".o_form_view .o_form_readonly " +
                ".o_field_widget[name=name]:contains('Должник unpaid')",
            isCheck: true,
        },
    ],
});
