/** @odoo-module **/

import { registry } from "@web/core/registry";

// The debtor's path from the link in a reminder: see the claim, pay the
// overdue invoice with the demo provider, land back on the page.
registry.category("web_tour.tours").add("debiteur_debtor_page_tour", {
    steps: () => [
        {
            trigger: ".o_debtor_page .o_debtor_page_invoices tr[data-invoice]",
            content: "The debtor sees the open invoice",
        },
        {
            trigger: ".o_debtor_page input[name='invoice_ids']:checked",
            content: "The overdue invoice is selected",
        },
        {
            trigger: ".o_debtor_page button.o_debtor_page_pay",
            content: "Pay the selected invoices",
            run: "click",
        },
        {
            trigger: "#o_payment_form input[name='o_payment_radio']:checked",
            content: "The demo provider is the payment method",
        },
        {
            trigger: "#o_payment_form input#customer_input",
            run: "edit 4111 1111 1111 1111",
        },
        {
            trigger: "#o_payment_form button[name='o_payment_submit_button']:enabled",
            content: "Pay",
            run: "click",
        },
        {
            trigger: ".o_debtor_page_done_paid",
            content: "Back on the debtor's page: thank you",
            timeout: 30000,
        },
    ],
});
