/** @odoo-module **/
// The quick search of people on every screen (systray): consumers, personal accounts and
// contracts by name, number, address fragment, INN, phone or e-mail. The server method
// res.company.tko_people_search checks the caller's rights and answers what he may read.
import {Component, onWillStart, useRef, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {debounce} from "@web/core/utils/timing";

export class PeopleSearch extends Component {
    static template = "mobill_tko_base.PeopleSearch";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.user = useService("user");
        this.company = useService("company");
        this.input = useRef("input");
        this.state = useState({
            allowed: false,
            text: "",
            groups: [],
            searched: false,
            open: false,
            active: 0,
        });
        this.placeholder = _t("Find a consumer, account, address…");
        this.search = debounce(() => this._search(), 300);
        onWillStart(async () => {
            this.state.allowed = await this.user.hasGroup("mobill_tko_base.group_tko_readonly");
        });
    }

    async _search() {
        const text = this.state.text.trim();
        if (text.length < 2) {
            Object.assign(this.state, {groups: [], searched: false});
            return;
        }
        const result = await this.orm.call("res.company", "tko_people_search", [
            this.company.activeCompanyIds,
            text,
        ]);
        if (text === this.state.text.trim()) {
            Object.assign(this.state, {
                groups: result.groups,
                searched: true,
                open: true,
                active: 0,
            });
        }
    }

    onInput(ev) {
        this.state.text = ev.target.value;
        this.state.open = true;
        this.search();
    }

    /** The results in the order shown: [[group, record], ...]. */
    get items() {
        return this.state.groups.flatMap((group) => group.records.map((record) => [group, record]));
    }

    isActive(group, record) {
        const item = this.items[this.state.active];
        return Boolean(item && item[0].key === group.key && item[1].id === record.id);
    }

    onKeydown(ev) {
        const items = this.items;
        if (ev.key === "Escape") {
            this.close();
        } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
            if (items.length) {
                ev.preventDefault();
                const step = ev.key === "ArrowDown" ? 1 : -1;
                this.state.open = true;
                this.state.active = (this.state.active + step + items.length) % items.length;
            }
        } else if (ev.key === "Enter") {
            const item = items[this.state.active] || items[0];
            if (item) {
                this.openRecord(...item);
            }
        }
    }

    onFocus() {
        this.state.open = true;
    }

    onBlur() {
        // Let a click on a result land before the list closes
        setTimeout(() => (this.state.open = false), 200);
    }

    close() {
        this.state.open = false;
    }

    async openRecord(group, record) {
        this.state.open = false;
        await this.action.doAction({
            type: "ir.actions.act_window",
            res_model: group.model,
            res_id: record.id,
            views: [[group.view_id || false, "form"]],
            target: "current",
        });
    }
}

registry.category("systray").add(
    "mobill_tko_base.people_search",
    {Component: PeopleSearch},
    {sequence: 90}
);
