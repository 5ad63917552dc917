/** bitmig properties. */
package dev.bitmig.check;
