import * as tf from '@tensorflow/tfjs-core';

type Shape4 = [number, number, number, number];

/** The attributes tfjs passes both Conv2DBackpropFilter and Conv2DBackpropInput (each adds the shape it computes). */
export interface Conv2DBackpropAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The forward NHWC convolution's sizes: kernel, stride, input, output, and its padding above and left. */
export interface Conv2DGeometry {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly h: number;
  readonly w: number;
  readonly oh: number;
  readonly ow: number;
  readonly top: number;
  readonly left: number;
}

/**
 * The geometry of the forward convolution (no dilation, channels last) whose gradient a backprop
 * kernel computes, from the forward input's and filter's shapes and the kernel's attributes.
 */
export function conv2dGeometry(inputShape: readonly number[], filterShape: readonly number[], attrs: Conv2DBackpropAttrs): Conv2DGeometry {
  const info = tf.backend_util.computeConv2DInfo(inputShape as Shape4, filterShape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return {
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    h: info.inHeight,
    w: info.inWidth,
    oh: info.outHeight,
    ow: info.outWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}
