/**
 * CoreWeave labels its GPU nodes with `gpu.nvidia.com/class` (values such as `A100_NVLINK_80GB`)
 * and its regions with `topology.kubernetes.io/region` (`ORD1`, `LGA1`, `LAS1`). The platform speaks
 * of GPUs as `nvidia-a100-80gb`; this table translates, listing every class (PCIe and NVLink
 * variants) that provides the type, so the scheduler may use any of them.
 */
export const COREWEAVE_GPU_CLASS_LABEL = "gpu.nvidia.com/class";
export const COREWEAVE_REGION_LABEL = "topology.kubernetes.io/region";

export const COREWEAVE_GPU_CLASSES: Readonly<Record<string, readonly string[]>> = {
  "nvidia-h100": ["H100_NVLINK_80GB", "H100_PCIE"],
  "nvidia-a100-80gb": ["A100_NVLINK_80GB", "A100_PCIE_80GB"],
  "nvidia-a100-40gb": ["A100_NVLINK", "A100_PCIE_40GB"],
  "nvidia-a40": ["A40"],
  "nvidia-l40s": ["L40S"],
  "nvidia-l40": ["L40"],
  "nvidia-rtx-a6000": ["RTX_A6000"],
  "nvidia-rtx-a5000": ["RTX_A5000"],
  "nvidia-rtx-a4000": ["RTX_A4000"],
  "nvidia-quadro-rtx-5000": ["Quadro_RTX_5000"],
  "nvidia-quadro-rtx-4000": ["Quadro_RTX_4000"],
  "nvidia-v100": ["Tesla_V100_NVLINK"],
};
