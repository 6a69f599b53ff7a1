import type { ComputeObservation } from "../remote/index.js";

/**
 * Azure's VM vocabulary in the kit's terms. A VM's instance view carries two status codes:
 * `ProvisioningState/<state>[/<detail>]` and `PowerState/<state>`. Only the bootstrap script's
 * status object ever says a job succeeded; this mapping only says where the machine is.
 *
 * Spot VMs are created with the eviction policy Delete: an eviction deletes the VM, so a Spot VM that
 * vanished (or is being deleted or deallocated) without the platform asking is a preemption.
 */

/** The parts of a VM (ARM `Microsoft.Compute/virtualMachines` with `$expand=instanceView`) read here. */
export interface AzureVmView {
  readonly provisioningState?: string;
  readonly priority?: string;
  readonly statuses: readonly { readonly code?: string; readonly displayStatus?: string; readonly message?: string; readonly time?: Date }[];
}

export function mapAzureVm(vm: AzureVmView | undefined, spot: boolean): ComputeObservation {
  if (!vm) {
    return spot
      ? { state: "gone", preempted: true, message: "the Spot VM was evicted: Azure deleted it (eviction policy Delete)" }
      : { state: "gone", message: "the VM no longer exists" };
  }
  const codes = vm.statuses.map((s) => s.code ?? "");
  const power = codes.find((c) => c.startsWith("PowerState/"))?.slice("PowerState/".length);
  const provisioning = (codes.find((c) => c.startsWith("ProvisioningState/"))?.slice("ProvisioningState/".length) ?? vm.provisioningState ?? "").toLowerCase();
  const launchedAt = vm.statuses.find((s) => s.code?.startsWith("ProvisioningState/succeeded"))?.time;
  const times = launchedAt ? { launchedAt } : {};
  const words = vm.statuses
    .map((s) => s.message ?? s.displayStatus)
    .filter(Boolean)
    .join("; ");

  if (provisioning.startsWith("failed")) return { state: "stopped", message: `provisioning failed: ${words || provisioning}`, ...times };
  if (provisioning === "deleting") {
    return spot ? { state: "gone", preempted: true, message: "the Spot VM is being evicted (deleted)", ...times } : { state: "stopping", message: "the VM is being deleted", ...times };
  }
  switch (power) {
    case "running":
      return { state: "running", message: "VM running", ...times };
    case "starting":
      return { state: "pending", message: "VM starting", ...times };
    case "stopping":
      return { state: "stopping", message: "VM stopping", ...times };
    case "stopped":
      return { state: "stopped", message: "VM stopped", ...times };
    case "deallocating":
    case "deallocated":
      // Only an eviction deallocates a Spot VM here: the platform deletes, it never deallocates.
      return spot ? { state: "stopped", preempted: true, message: `the Spot VM was evicted (${power})`, ...times } : { state: "stopped", message: `VM ${power}`, ...times };
    case undefined:
      return { state: "pending", message: provisioning ? `provisioning ${provisioning}` : "VM requested", ...times };
    default:
      return { state: "pending", message: `VM power state ${power}`, ...times };
  }
}
