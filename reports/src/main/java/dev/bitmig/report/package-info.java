/** bitmig reports. */
package dev.bitmig.report;
