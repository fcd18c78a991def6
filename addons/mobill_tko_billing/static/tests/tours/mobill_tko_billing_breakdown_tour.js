/** @odoo-module **/
import {openTkoMenu} from "@mobill_tko_base/../tests/tours/tko_tour_steps";
import {registry} from "@web/core/registry";

// An accountant prints the charge breakdown of an account: Registry › Personal accounts, the
// account found by its owner's name, «Print breakdown» on its form, then «Print» in the dialog;
// the dialog closes once the PDF is downloaded (the PDF's text is checked by the Python test
// that downloads it the same way).
registry.category("web_tour.tours").add("mobill_tko_billing_breakdown_tour", {
    test: true,
    url: "/web",
    steps: () => [
        ...openTkoMenu("mobill_tko_base.menu_registry", "mobill_tko_base.menu_accounts"),
        {
            // (the application opens on the consumers' list: wait for the accounts' own column)
            content: "Type the owner's name into the search of the accounts",
            trigger: ".o_list_view:has(th[data-name=calc_method]) .o_searchview_input",
            run: "text Житель кв. 1",
        },
        {
            content: "Search by the first (default) field: consumer, account, address…",
            trigger: ".o_searchview_autocomplete li.o_menu_item:first-child",
        },
        {
            content: "Open the account found",
            trigger:
                ".o_list_view:has(.o_searchview_facet:contains('Житель кв. 1')) " +
                ".o_data_row td.o_data_cell:contains('Житель кв. 1')",
        },
        {
            content: "The account's form is open",
            trigger: ".o_form_view .o_form_sheet",
            isCheck: true,
        },
        {
            content: "Print the breakdown",
            trigger: ".o_form_view button[name=action_tko_print_breakdown]",
        },
        {
            content: "The dialog offers the period and the account",
            // the tour looks inside the open dialog by itself
            trigger: ".o_field_widget[name=period_id] input",
            isCheck: true,
        },
        {
            content: "Print",
            trigger: "button[name=action_print]",
        },
        {
            // while a dialog (the wizard, or an error) is open, the tour looks inside it only:
            // the account's own button is found once the dialog has closed
            content: "The dialog is closed",
            trigger: ".o_form_view button[name=action_tko_print_breakdown]",
            isCheck: true,
            // the dialog closes when wkhtmltopdf has rendered the PDF: 6 s on a quiet machine,
            // more when the machine is busy (the default step timeout is 10 s)
            timeout: 30000,
        },
    ],
});
