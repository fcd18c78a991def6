/** @odoo-module **/
import {openTkoMenu} from "@mobill_tko_base/../tests/tours/tko_tour_steps";
import {registry} from "@web/core/registry";

// An operator opens MoBill-TKO from the applications menu, goes to Registry > Consumers,
// creates an individual consumer with a valid INN and saves it.
registry.category("web_tour.tours").add("mobill_tko_base_open_app", {
    test: true,
    url: "/web",
    steps: () => [
        ...openTkoMenu("mobill_tko_base.menu_registry", "mobill_tko_base.menu_consumers"),
        {
            content: "Create a consumer",
            trigger: ".o_list_button_add",
        },
        {
            content: "Type the consumer's name",
            trigger: ".o_field_widget[name=name] input, .o_field_widget[name=name] textarea",
            run: "text Тестова Анна Сергеевна",
        },
        {
            content: "Type a valid INN",
            trigger: ".o_field_widget[name=vat] input",
            run: "text 500100732259",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
        },
        {
            content: "The consumer is saved",
            trigger: ".o_form_saved",
            isCheck: true,
        },
    ],
});

// First-day task of an operator: find a consumer by an address fragment from Registry >
// Consumers, open the personal account, then its object, and enter the number of residents
// from a date (a new dated version; the previous one is closed the day before).
registry.category("web_tour.tours").add("mobill_tko_base_residents_from_date", {
    test: true,
    url: "/web",
    steps: () => [
        ...openTkoMenu("mobill_tko_base.menu_registry", "mobill_tko_base.menu_consumers"),
        {
            content: "Type an address fragment into the search",
            trigger: ".o_searchview_input",
            run: "text Туровская, д. 7, кв. 3",
        },
        {
            content: "Search by the first (default) field: consumer, account, address…",
            trigger: ".o_searchview_autocomplete li.o_menu_item:first-child",
        },
        {
            content: "The owner of the flat is found; open the consumer",
            trigger: ".o_view_controller.o_list_view .o_data_row td.o_data_cell:contains('Туров Тимур')",
        },
        {
            content: "Open the consumer's personal accounts",
            trigger:
                ".o_view_controller.o_form_view .oe_stat_button:has(.o_field_widget[name=tko_account_count])",
        },
        {
            content: "Open the account of the flat",
            // the list of accounts (not the accounts tab of the consumer's form)
            trigger: ".o_view_controller.o_list_view .o_data_row td.o_data_cell:contains('Туровская')",
        },
        {
            content: "Open the account's object (a visible button)",
            trigger: ".o_view_controller.o_form_view button[name=action_open_object]",
        },
        {
            content: "Add a characteristic from a date",
            trigger: "div[name=characteristic_ids] .o_field_x2many_list_row_add a",
        },
        {
            // the object's form has its own «kind»: wait for the dialog's. in_modal: false
            // searches the whole page, so this trigger may name the dialog (.modal) itself
            content: "The dialog of the new version is open",
            trigger: ".modal .o_form_view .o_field_widget[name=kind] select",
            in_modal: false,
            isCheck: true,
        },
        {
            content: "Permanent residents",
            // in_modal: false and .modal: the dialog's field, not the object's own «kind»
            trigger: ".modal .o_field_widget[name=kind] select",
            in_modal: false,
            run() {
                // options carry JSON values: "residents_permanent" with its quotes
                const select = this.$anchor[0];
                select.value = JSON.stringify("residents_permanent");
                select.dispatchEvent(new Event("change", {bubbles: true}));
            },
        },
        {
            content: "Four residents",
            trigger: ".modal .o_field_widget[name=value] input",
            in_modal: false,
            run: "text 4",
        },
        {
            content: "From the first of March",
            trigger: ".modal .o_field_widget[name=date_from] input",
            in_modal: false,
            run: "text_blur 01.03.2026",
        },
        {
            content: "Save the version",
            trigger: ".modal .o_form_button_save",
            in_modal: false,
        },
        {
            content: "The new version is listed",
            trigger: "div[name=characteristic_ids] .o_data_row:contains('01.03.2026')",
            isCheck: true,
        },
        {
            content: "Save the object",
            trigger: ".o_form_view .o_form_button_save",
        },
        {
            content: "The object is saved",
            trigger: ".o_form_saved",
            isCheck: true,
        },
    ],
});
