/** @odoo-module **/

import { registry } from "@web/core/registry";
import { RelationalModel } from "@web/model/relational_model/relational_model";
import { kanbanView } from "@web/views/kanban/kanban_view";

/**
 * The case kanban is a work queue: the server folds the columns that hold no
 * case for the current filter (``debiteur.case.web_read_group``). The web
 * client remembers each column's folding from the first load for as long as
 * the grouping stays the same, so a new filter kept the old folds: a column
 * that now holds cases stayed folded, one that became empty stayed open.
 *
 * With a new domain the columns start afresh: folded or not as the server
 * says for that domain. A reload with the same domain (after a button, a
 * drag and drop) keeps what the user folded or unfolded.
 */
export class DebiteurCaseKanbanModel extends RelationalModel {
    _getNextConfig(currentConfig, params) {
        const config = super._getNextConfig(currentConfig, params);
        if (
            config.groups &&
            "domain" in params &&
            JSON.stringify(params.domain) !== JSON.stringify(currentConfig.domain)
        ) {
            // Shared with the current config: drop it from the next one only.
            delete config.groups;
        }
        return config;
    }
}

export const debiteurCaseKanbanView = {
    ...kanbanView,
    Model: DebiteurCaseKanbanModel,
};

registry.category("views").add("debiteur_case_kanban", debiteurCaseKanbanView);
