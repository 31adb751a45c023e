"""Interactive widgets for igm-kit (thin layers on the igm engine)."""

from widgets.kernel_log import keep_kernel_errors_off_the_page

# Every app and exercise notebook imports a module of this package first: from then on a
# failing comm_open or widget logs to the server, never to the page (widgets/kernel_log.py).
keep_kernel_errors_off_the_page()
