/** bitmig reference-impl. */
package dev.bitmig.impl;
