/**
 * What `pnpm setup-native` builds from: TensorFlow's own PyPI wheels, pinned by version and sha256 (the
 * cp311 manylinux build; its C libraries do not depend on the Python version, and pip fetches it for any
 * local Python with --python-version/--platform). Nothing is fetched from Google storage.
 */
export interface Wheel {
  name: string;
  version: string;
  file: string;
  sha256: string;
}

export interface NativeTarget {
  variant: "cpu" | "gpu";
  /** The npm package whose binding is built (its sources are identical for both variants). */
  pkg: "@tensorflow/tfjs-node" | "@tensorflow/tfjs-node-gpu";
  tfjsVersion: string;
  wheel: Wheel;
  /** The CUDA libraries of TensorFlow's `and-cuda` extra (GPU only), laid out as in site-packages. */
  cuda: Wheel[];
}

const CPU_WHEEL: Wheel = {
  name: "tensorflow-cpu", version: "2.21.0", file: "tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl",
  sha256: "2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c",
};
const GPU_WHEEL: Wheel = {
  name: "tensorflow", version: "2.21.0", file: "tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl",
  sha256: "9056fbc9ba04235810b71ae6cbd958a196e8804fb53bbcffbf3e23b56155f124",
};

/** The newest release in each range TensorFlow 2.21's `and-cuda` extra asks for, as on PyPI on 2026-11-23. */
const CUDA: [string, string, string, string][] = [
  ["nvidia-cublas-cu12", "12.9.3.13", "nvidia_cublas_cu12-12.9.3.13-py3-none-manylinux_2_27_x86_64.whl", "d7d51055f161b317c7105ddaae90e71eda059026074ffef93cf7cde2886bfe72"],
  ["nvidia-cuda-cupti-cu12", "12.9.79", "nvidia_cuda_cupti_cu12-12.9.79-py3-none-manylinux_2_25_x86_64.whl", "096bcf334f13e1984ba36685ad4c1d6347db214de03dbb6eebb237b41d9d934f"],
  ["nvidia-cuda-nvcc-cu12", "12.9.86", "nvidia_cuda_nvcc_cu12-12.9.86-py3-none-manylinux2010_x86_64.manylinux_2_12_x86_64.whl", "5d6a0d32fdc7ea39917c20065614ae93add6f577d840233237ff08e9a38f58f0"],
  ["nvidia-cuda-nvrtc-cu12", "12.9.86", "nvidia_cuda_nvrtc_cu12-12.9.86-py3-none-manylinux2010_x86_64.manylinux_2_12_x86_64.whl", "210cf05005a447e29214e9ce50851e83fc5f4358df8b453155d5e1918094dcb4"],
  ["nvidia-cuda-runtime-cu12", "12.9.79", "nvidia_cuda_runtime_cu12-12.9.79-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", "25bba2dfb01d48a9b59ca474a1ac43c6ebf7011f1b0b8cc44f54eb6ac48a96c3"],
  ["nvidia-cudnn-cu12", "9.28.0.42", "nvidia_cudnn_cu12-9.28.0.42-py3-none-manylinux_2_27_x86_64.whl", "9ff58b7f36dacd0a93e89f8f2957b52466889217963701daa15e577317cfa375"],
  ["nvidia-cufft-cu12", "11.4.1.4", "nvidia_cufft_cu12-11.4.1.4-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", "c67884f2a7d276b4b80eb56a79322a95df592ae5e765cf1243693365ccab4e28"],
  ["nvidia-curand-cu12", "10.3.10.19", "nvidia_curand_cu12-10.3.10.19-py3-none-manylinux_2_27_x86_64.whl", "49b274db4780d421bd2ccd362e1415c13887c53c214f0d4b761752b8f9f6aa1e"],
  ["nvidia-cusolver-cu12", "11.7.5.82", "nvidia_cusolver_cu12-11.7.5.82-py3-none-manylinux_2_27_x86_64.whl", "15da72d1340d29b5b3cf3fd100e3cd53421dde36002eda6ed93811af63c40d88"],
  ["nvidia-cusparse-cu12", "12.5.10.65", "nvidia_cusparse_cu12-12.5.10.65-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", "73060ce019ac064a057267c585bf1fd5a353734151f87472ff02b2c5c9984e78"],
  ["nvidia-nccl-cu12", "2.32.3", "nvidia_nccl_cu12-2.32.3-py3-none-manylinux_2_27_x86_64.whl", "bb94b2348e4861d5e8aa00b36c3d12d9bdf9c6369b82cbb723de0b582280a21c"],
  ["nvidia-nvjitlink-cu12", "12.9.86", "nvidia_nvjitlink_cu12-12.9.86-py3-none-manylinux2010_x86_64.manylinux_2_12_x86_64.whl", "e3f1171dbdc83c5932a45f0f4c99180a70de9bd2718c1ab77d14104f6d7147f9"],
];

export function nativeTarget(gpu: boolean): NativeTarget {
  return gpu
    ? { variant: "gpu", pkg: "@tensorflow/tfjs-node-gpu", tfjsVersion: "4.22.0", wheel: GPU_WHEEL, cuda: CUDA.map(([name, version, file, sha256]) => ({ name, version, file, sha256 })) }
    : { variant: "cpu", pkg: "@tensorflow/tfjs-node", tfjsVersion: "4.22.0", wheel: CPU_WHEEL, cuda: [] };
}

/** The TensorFlow C headers the binding includes (found with `g++ -MM` on its two sources). */
export const BINDING_HEADERS = [
  "tensorflow/c/c_api.h", "tensorflow/c/c_api_macros.h", "tensorflow/c/eager/c_api.h", "tensorflow/c/tf_attrtype.h", "tensorflow/c/tf_buffer.h",
  "tensorflow/c/tf_datatype.h", "tensorflow/c/tf_status.h", "tensorflow/c/tf_tensor.h", "tensorflow/c/tf_tstring.h",
  "tensorflow/core/platform/ctstring.h", "tensorflow/core/platform/ctstring_internal.h", "tsl/platform/ctstring.h", "tsl/platform/ctstring_internal.h",
  "xla/tsl/c/tsl_status.h",
];

/** The libraries inside the wheel's `tensorflow/` folder, and the names the binding links against. */
export const WHEEL_LIBRARIES = ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"];
export const LINK_NAMES: [string, string][] = [["libtensorflow.so", "libtensorflow_cc.so.2"], ["libtensorflow_framework.so", "libtensorflow_framework.so.2"]];
