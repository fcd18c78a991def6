/** @odoo-module **/
// Steps the MoBill-TKO tours share: open a menu of the MoBill-TKO application the way a clerk
// does, from the applications menu. Menus are named by their XML ids (the same in every
// language): `openTkoMenu("mobill_tko_base.menu_registry", "mobill_tko_base.menu_consumers")`.
// Other modules import it as "@mobill_tko_base/../tests/tours/tko_tour_steps" (files under
// static/tests are named "@<module>/../tests/<path>" in Odoo 17).

/**
 * Steps opening the applications menu, then the MoBill-TKO application.
 *
 * @returns {Object[]} tour steps
 */
export function openTkoApp() {
    return [
        {
            content: "Open the applications menu",
            trigger: ".o_navbar_apps_menu button",
        },
        {
            content: "Open the MoBill-TKO application",
            trigger: '.o_app[data-menu-xmlid="mobill_tko_base.menu_root"]',
        },
    ];
}

/**
 * Steps opening a menu of the top bar of MoBill-TKO, then one of its items (at any depth: the
 * drop-down lists the items of sub-menus under their headings).
 *
 * The next step of the tour should wait for something of the opened screen only (a column of
 * its list, say): the screen shown before (the application opens on its first menu, the
 * consumers' list) stays on the page until the new one has loaded.
 *
 * @param {string} section XML id of the top-bar menu, e.g. "mobill_tko_billing.menu_billing"
 * @param {string} [item] XML id of the item in its drop-down, e.g.
 *     "mobill_tko_billing.menu_billing_periods"; none for a top-bar menu with an action
 * @param {Object} [options]
 * @param {boolean} [options.fromApps=true] start from the applications menu; false when the
 *     tour is already in MoBill-TKO (a second menu in the same tour)
 * @returns {Object[]} tour steps
 */
export function openTkoMenu(section, item, {fromApps = true} = {}) {
    const steps = fromApps ? openTkoApp() : [];
    steps.push({
        content: `Open the menu ${section}`,
        trigger: `.o_main_navbar [data-menu-xmlid="${section}"]`,
    });
    if (item) {
        steps.push({
            content: `Open ${item}`,
            trigger: `.dropdown-item[data-menu-xmlid="${item}"]`,
        });
    }
    return steps;
}
