/** @odoo-module **/

import { registry } from "@web/core/registry";

// The work queue folds the columns that are empty for the filter in use, and
// unfolds them again when another filter gives them cases (and the other way
// round). "Tour Due BV" is to remind (its action is due, it has an owner);
// "Tour Disputed BV" is disputed (no action due, no owner).
registry.category("web_tour.tours").add("debiteur_case_kanban_fold_tour", {
    url: "/odoo/action-debiteur_dunning.action_debiteur_case",
    steps: () => [
        {
            trigger: ".o_searchview_facet:contains('Action Due')",
            content: "The queue opens on the cases whose action is due",
        },
        {
            trigger:
                ".o_kanban_group:not(.o_column_folded) .o_kanban_record:contains('Tour Due BV')",
        },
        {
            trigger: ".o_kanban_group.o_column_folded:contains('Disputed')",
            content: "No disputed case has its action due: the column is folded",
        },
        {
            trigger: ".o_searchview_facet:contains('Action Due') .o_facet_remove",
            content: "All open cases",
            run: "click",
        },
        {
            trigger:
                ".o_kanban_group:not(.o_column_folded) .o_kanban_record:contains('Tour Disputed BV')",
            content: "The disputed column holds a case now: unfolded",
        },
        {
            trigger: ".o_searchview_dropdown_toggler",
            content: "The filters",
            run: "click",
        },
        {
            trigger: ".o_filter_menu .o_menu_item:contains('Unassigned')",
            content: "Only the cases without an owner",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains('Unassigned')",
        },
        {
            trigger: ".o_kanban_group.o_column_folded:contains('To remind')",
            content: "The column To remind is empty now: folded",
        },
        {
            trigger:
                ".o_kanban_group:not(.o_column_folded) .o_kanban_record:contains('Tour Disputed BV')",
        },
        {
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:contains('Tour Due BV')))",
        },
    ],
});
