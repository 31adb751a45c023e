// The widget manager: the widget classes the kit's apps use, each comm on the kernel
// connection, and views attached to the page.

import * as base from "@jupyter-widgets/base";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import * as bool from "@jupyter-widgets/controls/lib/widget_bool";
import * as box from "@jupyter-widgets/controls/lib/widget_box";
import * as button from "@jupyter-widgets/controls/lib/widget_button";
import * as core from "@jupyter-widgets/controls/lib/widget_core";
import * as description from "@jupyter-widgets/controls/lib/widget_description";
import * as link from "@jupyter-widgets/controls/lib/widget_link";
import * as selection from "@jupyter-widgets/controls/lib/widget_selection";
import * as string from "@jupyter-widgets/controls/lib/widget_string";
import { Widget } from "@lumino/widgets";
import createAnywidget from "anywidget";
import escapeHtml from "./no-sanitize-html.js";

// Only the control families the kit uses (boxes, buttons, checkboxes, text, HTML, dropdowns,
// toggle buttons, links): ipywidgets' sliders, date pickers, colour pickers, tabs and media
// would double the script. tests/widgets/test_page_script.py checks that every widget class
// the kit's code names is here (SUPPORTED_CLASSES below is what it reads).
/** ipywidgets' dropdown, whose options keep their spaces: ipywidgets writes each space as a
 * no-break space, so a long option (a case's title) could not wrap on a phone and was cut;
 * the kit's stylesheet lets a select wrap its value (widgets/ui.py). */
class DropdownView extends selection.DropdownView {
  _updateOptions() {
    super._updateOptions();
    for (const option of this.listbox.options) {
      option.textContent = option.value;
    }
  }
}

const MODULES = {
  "@jupyter-widgets/base": base,
  "@jupyter-widgets/controls": {
    ...core,
    ...description,
    ...link,
    ...bool,
    ...button,
    ...box,
    ...selection,
    DropdownView,
    ...string,
  },
  anywidget: createAnywidget(base),
};

/** "module:Class" for every model and view class this page can draw. */
export const SUPPORTED_CLASSES = Object.entries(MODULES).flatMap(([module, classes]) =>
  Object.entries(classes)
    .filter(([name, value]) => typeof value === "function" && /(Model|View)$/.test(name))
    .map(([name]) => `${module}:${name}`),
);

export class WidgetManager extends ManagerBase {
  /** @param {import("./kernel.js").KernelConnection} kernel */
  constructor(kernel) {
    super();
    this.kernel = kernel;
    kernel.onCommOpen = (comm, msg) => {
      if (comm.target_name === this.comm_target_name) {
        this.handle_comm_open(comm, msg);
      }
    };
  }

  async loadClass(className, moduleName, moduleVersion) {
    const module = MODULES[moduleName];
    if (!module || typeof module[className] !== "function") {
      throw new Error(
        `The widget class ${className} (${moduleName} ${moduleVersion}) is not in igm-kit's page script; add it in frontend/src/manager.js`,
      );
    }
    return module[className];
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.newComm(targetName, modelId);
    if (data || metadata) {
      comm.open(data, undefined, metadata, buffers);
    }
    return comm;
  }

  async _get_comm_info() {
    const reply = await this.kernel.request("comm_info_request", { target_name: this.comm_target_name });
    return reply.comms;
  }

  /**
   * Creates a model for every widget the kernel holds, from one request for all their states
   * (ipywidgets' control comm; older kernels are asked widget by widget).
   *
   * The one place the page script uses an API of @jupyter-widgets/base-manager that is not
   * public: 1.0.x has no public method for this, only the protected `_loadFromKernel`, which
   * its documentation offers to subclasses ("a utility function that can be used in
   * subclasses"), and which Voila's and JupyterLab's own managers call the same way. When the
   * pinned base-manager changes, check that it still exists and does this, then update the
   * reviewed version in tests/frontend/test_pins.py.
   */
  async loadAllWidgetStates() {
    await this._loadFromKernel();
  }

  /** Descriptions are text (see src/no-sanitize-html.js); base-manager's default would put
   * `$…$` math back unescaped. */
  inline_sanitize(source) {
    return escapeHtml(source);
  }

  /** Draws a model's view inside `host` (which must be in the document). */
  async display(modelId, host) {
    const model = await this.get_model(modelId);
    const view = await this.create_view(model);
    Widget.attach(view.luminoWidget, host);
    return view;
  }
}
